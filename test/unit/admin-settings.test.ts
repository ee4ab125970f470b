import { describe, expect, it } from 'vitest';
import { odooBaseUrl } from '../../connector/odoo/client.ts';
import { redisRetryDelayMs, shownRedisUrl } from '../../connector/redis.ts';

describe('addresses as an admin pastes them', () => {
  it.each([
    ['http://odoo.example.com:8069', 'http://odoo.example.com:8069'],
    ['http://odoo.example.com:8069/', 'http://odoo.example.com:8069'],
    ['http://odoo.example.com:8069/odoo', 'http://odoo.example.com:8069'],
    ['http://odoo.example.com:8069/odoo/invoicing', 'http://odoo.example.com:8069'],
    ['http://odoo.example.com:8069/odoo/action-123/45', 'http://odoo.example.com:8069'],
    ['http://odoo.example.com:8069/web#action=12&model=account.move', 'http://odoo.example.com:8069'],
    ['http://odoo.example.com:8069/web/login?db=prod', 'http://odoo.example.com:8069'],
    ['https://example.com/erp/odoo/invoicing', 'https://example.com/erp'],
    ['https://example.com/erp/', 'https://example.com/erp'],
    ['https://example.com/webshop', 'https://example.com/webshop'],
  ])('ODOO_URL %s → %s', (given, used) => {
    expect(odooBaseUrl(given)).toBe(used);
  });

  it.each([
    ['redis://:s3cret@redis.example.com:6379', 'redis://redis.example.com:6379'],
    ['redis://user:s3cret@10.0.0.5:6380/2', 'redis://user@10.0.0.5:6380/2'],
    ['rediss://redis.example.com:6379', 'rediss://redis.example.com:6379'],
  ])('REDIS_URL %s is shown as %s', (given, shown) => {
    expect(shownRedisUrl(given)).toBe(shown);
    expect(shownRedisUrl(given)).not.toContain('s3cret');
  });

  it('retries Redis after 1, 2, 4, 8, then every 10 seconds', () => {
    expect([1, 2, 3, 4, 5, 9].map(redisRetryDelayMs)).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  });
});
