/**
 * How the worker and `enqueue` speak to Redis when it is away: `enqueue` says so within seconds and
 * stops; the worker keeps trying and says so once per retry, in one readable line, instead of
 * ioredis's "Unhandled error event" stack traces from each of its connections.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { ConfigError, messageOf } from './errors.ts';
import type { Logger } from './log.ts';

/** The Redis address as it may be printed: without its password. */
export function shownRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return 'the address in REDIS_URL';
  }
}

/** The wait before the n-th reconnection: 1 s, 2 s, 4 s … at most 10 s. */
export function redisRetryDelayMs(times: number): number {
  return Math.min(1_000 * 2 ** Math.max(0, times - 1), 10_000);
}

/** BullMQ connection options for the worker's queue, worker and flows (retries forever, same pace). */
export function workerConnection(url: string): { url: string } & RedisOptions {
  return { url, maxRetriesPerRequest: null, retryStrategy: redisRetryDelayMs };
}

/** The short reason of a connection failure: `ECONNREFUSED`, `ENOTFOUND`, or ioredis's words. */
function reasonOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string')
    return error.code;
  return messageOf(error);
}

/**
 * A connection that reports for all of them: one warning per retry while Redis is away, one line
 * when it is back. Errors of the other connections are to be passed to `ignore` (they are the same
 * outage, already said).
 */
export function watchedRedis(url: string, log: Logger): Redis {
  let lastError: unknown;
  let down = false;
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => {
      const delay = redisRetryDelayMs(times);
      down = true;
      log.warn(
        `cannot reach Redis at ${shownRedisUrl(url)} (REDIS_URL): ${lastError === undefined ? 'connection lost' : reasonOf(lastError)}; trying again in ${Math.round(delay / 1000)} s`,
      );
      return delay;
    },
  });
  redis.on('error', (error: unknown) => {
    lastError = error;
  });
  redis.on('ready', () => {
    if (down) log.info(`Redis at ${shownRedisUrl(url)} answers again`);
    down = false;
    lastError = undefined;
  });
  return redis;
}

/** Whether an error is Redis being away (said by the watched connection), not a failure of its own. */
export function isRedisConnectionError(error: unknown): boolean {
  const reason = reasonOf(error);
  return (
    /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE)$/.test(reason) ||
    /Connection is closed|connect ETIMEDOUT|Stream isn't writeable|WRONGPASS|NOAUTH/i.test(messageOf(error))
  );
}

/** What one try to connect found: Redis answers, is away, or refuses the password of REDIS_URL. */
export type RedisProbe = { state: 'ok' } | { state: 'away' | 'refused'; reason: string };

/** Connects once, within `timeoutMs`, and PINGs. */
export async function probeRedis(url: string, timeoutMs = 3_000): Promise<RedisProbe> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // The socket's own error (ECONNREFUSED…) says more than the rejection ("Connection is closed").
  let socketError: unknown;
  redis.on('error', (error: unknown) => {
    socketError ??= error;
  });
  try {
    await redis.connect();
    await redis.ping();
    return { state: 'ok' };
  } catch (error) {
    const reason = reasonOf(socketError ?? error);
    return { state: /WRONGPASS|NOAUTH|NOPERM/.test(reason) ? 'refused' : 'away', reason };
  } finally {
    redis.disconnect();
  }
}

/** The message of a probe that failed, naming the (password-free) address and what to do. */
export function redisProblem(url: string, probe: Exclude<RedisProbe, { state: 'ok' }>): string {
  return probe.state === 'refused'
    ? `Redis at ${shownRedisUrl(url)} refused the password of REDIS_URL (${probe.reason}): correct it, e.g. REDIS_URL=redis://:PASSWORD@host:6379`
    : `cannot reach Redis at ${shownRedisUrl(url)} (REDIS_URL): ${probe.reason}; start Redis or correct REDIS_URL`;
}

/**
 * Connects once, within `timeoutMs`, or throws a ConfigError naming the (password-free) address:
 * for commands that must not wait for Redis (`enqueue`, `check`).
 */
export async function reachRedis(url: string, timeoutMs = 3_000): Promise<void> {
  const probe = await probeRedis(url, timeoutMs);
  if (probe.state !== 'ok') throw new ConfigError([redisProblem(url, probe)]);
}
