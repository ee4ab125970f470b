import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Redis lock (SET NX PX with an owner token, renewed while held, released only by its owner), for
 * processes that must not overlap across workers and machines.
 */
export class LockBusyError extends Error {
  constructor(readonly key: string) {
    super(`${key} is running elsewhere`);
  }
}

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
// Free, or already held under this token (the same queue job, handed to this worker after its first
// holder stopped): taken.
const ACQUIRE = `local held = redis.call('get', KEYS[1]) if held == false or held == ARGV[1] then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export async function withLock<T>(
  redis: Redis,
  key: string,
  ttlMs: number,
  work: () => Promise<T>,
  /** Renewal stops when this says no (the worker was stopped): the lock then expires as if the process died. */
  alive: () => boolean = () => true,
  /**
   * The holder's name when it is a queue job (its id): the queue gives a job to one worker at a
   * time, so a lock held under the same job's name is its stopped first worker's, taken over at once.
   */
  holder?: string,
): Promise<T> {
  const token = holder ? `job:${holder}` : randomUUID();
  const full = `rcp-odoo:lock:${key}`;
  const acquired = await redis.eval(ACQUIRE, 1, full, token, String(ttlMs));
  if (acquired !== 1) throw new LockBusyError(key);
  const renew = setInterval(
    () => {
      if (!alive()) return clearInterval(renew);
      redis.eval(RENEW, 1, full, token, String(ttlMs)).catch(() => undefined);
    },
    Math.max(100, Math.floor(ttlMs / 3)),
  );
  try {
    return await work();
  } finally {
    clearInterval(renew);
    await redis.eval(RELEASE, 1, full, token).catch(() => undefined);
  }
}
