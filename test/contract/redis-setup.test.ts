import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';

describe('the test set-up', () => {
  it('starts a real Redis that stores and expires keys', async () => {
    const redis = new Redis(inject('redisUrl'));
    try {
      await redis.set('rcp-odoo:setup-check', 'ok', 'PX', 60_000);
      expect(await redis.get('rcp-odoo:setup-check')).toBe('ok');
      expect(await redis.pttl('rcp-odoo:setup-check')).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });
});
