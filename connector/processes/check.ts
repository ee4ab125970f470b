import { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import { messageOf } from '../errors.ts';
import type { OdooClient } from '../odoo/client.ts';
import { OdooError } from '../odoo/errors.ts';
import type { RcpClient } from '../rcp/client.ts';
import {
  ACTION_GUARDS,
  GROUP_CONNECTOR,
  uniqueIndexes,
  workspaceDefinition,
} from '../workspace/definition.ts';
import { fullXmlid } from '../workspace/items.ts';
import { PARAM_VERSION, QUANTITY_DIGITS, readParam, readSettings } from '../workspace/settings.ts';
import { definitionVersion } from '../workspace/setup.ts';
import { priceDigits } from './odoo-refs.ts';

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
  const [user] = await odoo.read<{ id: number; name: string; company_id: [number, string] | false }>(
    'res.users',
    [odoo.uid],
    ['name', 'company_id'],
  );
  const company = odoo.config.companyId ?? (Array.isArray(user?.company_id) ? user.company_id[0] : undefined);
  items.push({
    what: 'Odoo user',
    ok: true,
    detail: `${odoo.config.user} (id ${odoo.uid}, ${user?.name ?? '?'}), company ${company ?? '?'}${Array.isArray(user?.company_id) && !odoo.config.companyId ? ` (${user.company_id[1]})` : ''}`,
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
  const digits = await priceDigits(odoo);
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

/**
 * The RCP workspace (`rcp-odoo setup`): made and current (its definition stamp in Odoo equals this
 * connector's), the connector's user in its group, and the settings money needs. A user who may not
 * read system parameters (not an administrator) is told what could not be seen.
 */
export async function checkWorkspace(odoo: OdooClient, expectedCurrency: string): Promise<CheckItem[]> {
  const items: CheckItem[] = [];
  const expected = definitionVersion(workspaceDefinition(odoo.capabilities));
  try {
    // Groups are made first, and any internal user may see them (models need Access Rights).
    const groups = await odoo.externalIds.resolve([fullXmlid(GROUP_CONNECTOR)]);
    const group = groups.get(fullXmlid(GROUP_CONNECTOR));
    let stamp: string | undefined;
    let stampReadable = true;
    try {
      stamp = await readParam(odoo, PARAM_VERSION);
    } catch (error) {
      if (!(error instanceof OdooError && error.kind === 'access')) throw error;
      stampReadable = false;
    }
    const made = group !== undefined;
    items.push(
      !made
        ? {
            what: 'RCP workspace',
            ok: false,
            detail:
              'not set up: run `rcp-odoo setup` as an Odoo administrator (creates the RCP menu, groups and the payments ledger)',
          }
        : !stampReadable
          ? {
              what: 'RCP workspace',
              ok: true,
              detail: `set up (whether it is current needs an administrator's check; this connector's definition is ${expected})`,
            }
          : stamp === expected
            ? { what: 'RCP workspace', ok: true, detail: `set up and current (definition ${expected})` }
            : {
                what: 'RCP workspace',
                ok: false,
                detail: `set up with definition ${stamp ?? '(none)'}, this connector has ${expected}: run \`rcp-odoo setup\` again as an Odoo administrator`,
              },
    );
    if (made && stampReadable) items.push(await checkGuards(odoo));
    if (made && group !== undefined) {
      const field = odoo.capabilities.userGroupsField;
      const [user] = await odoo.read<{ id: number } & Record<string, unknown>>(
        'res.users',
        [odoo.uid],
        [field],
      );
      const member = ((user?.[field] as number[] | undefined) ?? []).includes(group.id);
      items.push({
        what: 'connector group',
        ok: member,
        detail: member
          ? `${odoo.config.user} is in "RCP connector (technical)": it alone writes the payments ledger`
          : `${odoo.config.user} is not in "RCP connector (technical)": run \`rcp-odoo setup --connector-user ${odoo.config.user}\` as an administrator`,
      });
    }
    const settings = await readSettings(odoo);
    const quantityName = odoo.capabilities.quantityPrecision.name;
    items.push(
      {
        what: 'quantity precision',
        ok: settings.quantityDigits >= QUANTITY_DIGITS,
        detail: `'${quantityName}' keeps ${settings.quantityDigits} decimals${settings.quantityDigits >= QUANTITY_DIGITS ? '' : ` (RCP states quantities to ${QUANTITY_DIGITS}; \`rcp-odoo setup\` raises it)`}`,
      },
      {
        what: 'Pricelists feature',
        ok: settings.pricelists,
        detail: settings.pricelists
          ? 'on'
          : 'off: Odoo drops contacts’ price lists (19) and every sync rewrites them; `rcp-odoo setup` turns it on',
      },
      {
        what: 'company currency',
        ok: settings.currency === expectedCurrency,
        detail:
          settings.currency === expectedCurrency
            ? `${settings.company.name}: ${settings.currency}`
            : `${settings.company.name} keeps its books in ${settings.currency}, RCP bills in ${expectedCurrency} (COMPANY_CURRENCY)`,
      },
    );
  } catch (error) {
    items.push({ what: 'RCP workspace', ok: false, detail: `could not be checked: ${messageOf(error)}` });
  }
  return items;
}

/** The unique indexes the exactly-once rules rely on (read through setup's guards action, writing nothing). */
async function checkGuards(odoo: OdooClient): Promise<CheckItem> {
  const what = 'database guards';
  const action = (await odoo.externalIds.resolve([fullXmlid(ACTION_GUARDS)])).get(fullXmlid(ACTION_GUARDS));
  if (!action) return { what, ok: false, detail: 'missing: run `rcp-odoo setup` again' };
  try {
    const answer = await odoo.callOn<{ indexes?: unknown } | false>(
      'ir.actions.server',
      'run',
      [action.id],
      undefined,
      {
        active_model: 'x_rcp_lock',
        rcp_check_only: true,
      },
    );
    const found = answer && Array.isArray(answer.indexes) ? (answer.indexes as string[]) : [];
    const missing = uniqueIndexes()
      .map((i) => i.name)
      .filter((name) => !found.includes(name));
    return missing.length === 0
      ? { what, ok: true, detail: `unique indexes in place: ${found.sort().join(', ')}` }
      : { what, ok: false, detail: `missing ${missing.join(', ')}: run \`rcp-odoo setup\` again` };
  } catch (error) {
    if (error instanceof OdooError && error.kind === 'access') {
      return { what, ok: true, detail: 'not visible to this user (an administrator’s `check` shows them)' };
    }
    throw error;
  }
}
