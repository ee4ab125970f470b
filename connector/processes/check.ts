import { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import { messageOf } from '../errors.ts';
import type { OdooClient } from '../odoo/client.ts';
import { OdooError } from '../odoo/errors.ts';
import type { RcpClient } from '../rcp/client.ts';
import { companyOf, decimalPrecisions } from './odoo-refs.ts';

export interface CheckItem {
  what: string;
  ok: boolean;
  detail: string;
}

/** RCP: the token works and lists answer. */
export async function checkRcp(rcp: RcpClient): Promise<CheckItem[]> {
  try {
    const partners = rcp.partners();
    const first = await partners[Symbol.asyncIterator]().next();
    const count = first.done ? 0 : first.value.length;
    return [
      {
        what: 'RCP',
        ok: true,
        detail: `${rcp.config.baseUrl}: ${partners.total} partner(s) visible (${count} on the first page)`,
      },
    ];
  } catch (error) {
    return [{ what: 'RCP', ok: false, detail: `RCP_URL=${rcp.config.baseUrl}: ${messageOf(error)}` }];
  }
}

/** Odoo: version and protocol, the user and company, the rights the sync needs, price precision. */
export async function checkOdoo(odoo: OdooClient, neededPriceDigits: number): Promise<CheckItem[]> {
  const items: CheckItem[] = [
    {
      what: 'Odoo',
      ok: true,
      detail: `${odoo.config.url} database ${odoo.config.db}: Odoo ${odoo.version} over ${odoo.protocol}`,
    },
  ];
  const [user] = await odoo.read<{ id: number; name: string }>('res.users', [odoo.uid], ['name']);
  const company = await companyOf(odoo);
  items.push({
    what: 'Odoo user',
    ok: true,
    detail: `${odoo.config.user} (id ${odoo.uid}, ${user?.name ?? '?'}), company ${company.id}${odoo.config.companyId ? '' : ` (${company.name})`}`,
  });
  for (const [model, operation, why] of [
    ['res.partner', 'create', 'sync partners and clients (Contact Creation)'],
    ['product.product', 'create', 'sync products (Product Creation; on 17 Administration/Settings)'],
    ['product.pricelist', 'create', 'sync price lists'],
    ['account.move', 'create', 'make invoices (Invoicing/Billing)'],
    ['account.payment', 'read', 'push payments'],
  ] as const) {
    items.push(await checkRight(odoo, model, operation, why));
  }
  const digits = (await decimalPrecisions(odoo)).priceDigits;
  items.push({
    what: 'price precision',
    ok: digits >= neededPriceDigits,
    detail:
      digits >= neededPriceDigits
        ? `'Product Price' keeps ${digits} decimals`
        : `'Product Price' keeps ${digits} decimals but RCP prices need ${neededPriceDigits}: price lists will show them rounded (invoices stay exact). Raise Settings → Technical → Decimal Accuracy → Product Price to ${neededPriceDigits}.`,
  });
  return items;
}

async function checkRight(
  odoo: OdooClient,
  model: string,
  operation: string,
  why: string,
): Promise<CheckItem> {
  const what = `right: ${operation} ${model}`;
  for (const method of ['has_access', 'check_access_rights']) {
    try {
      const allowed = await odoo.call<boolean>({
        model,
        method,
        params: [['operation', operation]],
        ...(method === 'check_access_rights' ? { kwargs: { raise_exception: false } } : {}),
      });
      return { what, ok: allowed === true, detail: allowed ? 'yes' : `no: needed to ${why}` };
    } catch (error) {
      if (
        error instanceof OdooError &&
        (error.kind === 'not-found' ||
          error.kind === 'server' ||
          error.kind === 'validation' ||
          error.kind === 'access')
      )
        continue;
      throw error;
    }
  }
  return { what, ok: false, detail: `could not be checked: needed to ${why}` };
}

export async function checkRedis(config: Config): Promise<CheckItem[]> {
  if (!config.redisUrl)
    return [{ what: 'Redis', ok: true, detail: 'REDIS_URL not set (needed only by worker and enqueue)' }];
  const redis = new Redis(config.redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 3_000,
  });
  try {
    await redis.connect();
    await redis.ping();
    return [{ what: 'Redis', ok: true, detail: 'answers PING' }];
  } catch (error) {
    return [{ what: 'Redis', ok: false, detail: `REDIS_URL does not answer: ${messageOf(error)}` }];
  } finally {
    redis.disconnect();
  }
}
