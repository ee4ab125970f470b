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
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export async function withLock<T>(
  redis: Redis,
  key: string,
  ttlMs: number,
  work: () => Promise<T>,
  /** Renewal stops when this says no (the worker was stopped): the lock then expires as if the process died. */
  alive: () => boolean = () => true,
): Promise<T> {
  const token = randomUUID();
  const full = `rcp-odoo:lock:${key}`;
  const acquired = await redis.set(full, token, 'PX', ttlMs, 'NX');
  if (acquired !== 'OK') throw new LockBusyError(key);
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
