/**
 * Whether this RCP, this Odoo and this configuration are ready, one line item each. A FAILURE stops
 * the work it names (a missing right, a tax that is not a sale tax, a company in another currency);
 * a WARNING is something that works but may not be what the admin means, with its fix. Each Odoo item
 * is one entry of ODOO_CHECKS: adding a check is adding a function to that list.
 */
import { companyCurrencyProblem } from '../../mappings/company-currency.ts';
import { decimalsOf } from '../../mappings/pricelists.ts';
import type { Config } from '../config.ts';
import { ConfigError, PermanentError, messageOf } from '../errors.ts';
import type { Logger } from '../log.ts';
import { OdooClient, isOdooSettingError } from '../odoo/client.ts';
import { companyOf, decimalPrecisions } from '../odoo/company.ts';
import { OdooError } from '../odoo/errors.ts';
import { externalIds } from '../odoo/external-ids.ts';
import { RcpClient } from '../rcp/client.ts';
import type { Partner } from '../rcp/schemas.ts';
import { reachRedis, shownRedisUrl } from '../redis.ts';
import { ACTION_GUARDS, GROUP_CONNECTOR, workspaceDefinition } from '../workspace/definition.ts';
import {
  documentsInstalled,
  isAccessError,
  missingBuyerRequisites,
  missingCompanyRequisites,
  missingEdoRequisites,
  readBuyerRequisites,
  readCompanyRequisites,
  wkhtmltopdfState,
} from '../workspace/documents-check.ts';
import { readGuards } from '../workspace/guards.ts';
import { fullXmlid } from '../workspace/items.ts';
import { PARAM_VERSION, QUANTITY_DIGITS, readParam, readSettings } from '../workspace/settings.ts';
import { definitionVersion } from '../workspace/setup.ts';
import { TAX_ADVICE, taxProblems } from './invoice-taxes.ts';

export type CheckStatus = 'ok' | 'warning' | 'failure';

export interface CheckItem {
  what: string;
  status: CheckStatus;
  detail: string;
  /** A failure the admin fixes in the configuration (ODOO_URL, ODOO_DB, a secret): exit code 2. */
  setting?: boolean;
}

export const ok = (what: string, detail: string): CheckItem => ({ what, status: 'ok', detail });
export const warning = (what: string, detail: string): CheckItem => ({ what, status: 'warning', detail });
export const failure = (what: string, detail: string): CheckItem => ({ what, status: 'failure', detail });

/** What the RCP side told the check, for the items that compare it with the configuration. */
export interface RcpFacts {
  /** Partners visible to the token (undefined when RCP could not be read). */
  partners: readonly Pick<Partner, 'id' | 'name'>[] | undefined;
  /** Decimal places RCP's prices need (2 when unknown). */
  priceDigits: number;
}

/** RCP: the token works, the partners and their plans' prices can be read. */
export async function checkRcp(rcp: RcpClient): Promise<{ items: CheckItem[]; facts: RcpFacts }> {
  let partners: Partner[];
  try {
    partners = await rcp.partners().all();
  } catch (error) {
    // Refused credentials are a setting to fix (exit 2), like a wrong Odoo password.
    const refused = error instanceof PermanentError && error.status === 401;
    return {
      items: [
        {
          ...failure('RCP', `RCP_URL=${rcp.config.baseUrl}: ${messageOf(error)}`),
          ...(refused ? { setting: true } : {}),
        },
      ],
      facts: { partners: undefined, priceDigits: 2 },
    };
  }
  const items = [ok('RCP', `${rcp.config.baseUrl}: ${partners.length} partner(s) visible`)];
  let digits = 2;
  try {
    const plans = [...new Set(partners.flatMap((p) => (p.contract ? [p.contract.billing_plan.id] : [])))];
    const prices = (await rcp.fanOut(plans, (plan) => rcp.prices(plan))).flatMap((p) => p.items);
    digits = Math.max(2, ...prices.map((p) => decimalsOf(p.cost)));
  } catch (error) {
    items.push(
      warning('RCP prices', `could not be read (${messageOf(error)}): price precision not compared`),
    );
  }
  return { items, facts: { partners, priceDigits: digits } };
}

/** Items that need only the configuration and what RCP said. */
export function checkSettings(config: Config, rcp: RcpFacts): CheckItem[] {
  return [checkOwnPartners(config, rcp)];
}

function checkOwnPartners(config: Config, rcp: RcpFacts): CheckItem {
  const what = 'RCP_OWN_PARTNER_IDS';
  const known = new Map((rcp.partners ?? []).map((p) => [p.id.toLowerCase(), p.name]));
  const listed =
    rcp.partners && rcp.partners.length > 0 && rcp.partners.length <= 10
      ? ` RCP's partners: ${rcp.partners.map((p) => `${p.name} ${p.id}`).join('; ')}.`
      : '';
  if (config.ownPartnerIds.length === 0) {
    return warning(
      what,
      `empty: no partner is the provider's own sales channel, so every partner is invoiced as a reseller, and the provider's own (direct) channel would get one invoice for all its clients at its partner's plan instead of each client its own. Set it to the uuid(s) of the provider's own partner(s).${listed}`,
    );
  }
  if (!rcp.partners)
    return ok(what, `${config.ownPartnerIds.length} partner(s) (not compared: RCP not read)`);
  const unknown = config.ownPartnerIds.filter((id) => !known.has(id.toLowerCase()));
  if (unknown.length > 0) {
    return warning(what, `not RCP partners visible to this token: ${unknown.join(', ')}.${listed}`);
  }
  return ok(what, config.ownPartnerIds.map((id) => `${known.get(id.toLowerCase())} (${id})`).join('; '));
}

/** What every Odoo item is given: the connected client, the configuration, RCP's facts, the company. */
export interface OdooCheckInput {
  odoo: OdooClient;
  config: Config;
  rcp: RcpFacts;
  /** Undefined when ODOO_COMPANY_ID (or the user's company) cannot be read. */
  company: Awaited<ReturnType<typeof companyOf>> | undefined;
  /** Why the company could not be read. */
  companyProblem: string;
}

/** One line item (or a few) about Odoo. */
export type OdooCheck = (input: OdooCheckInput) => Promise<CheckItem | CheckItem[]>;

/** The Odoo items, in the order they are shown. */
export const ODOO_CHECKS: readonly OdooCheck[] = [
  checkCompany,
  checkCurrency,
  checkRights,
  checkTaxes,
  checkPricePrecision,
  checkWorkspace,
  checkDocuments,
];

/** Connects to Odoo and runs ODOO_CHECKS; a wrong setting (URL, database, secret) is a failure marked `setting`. */
export async function checkOdoo(
  connect: () => Promise<OdooClient>,
  config: Config,
  rcp: RcpFacts,
): Promise<CheckItem[]> {
  let odoo: OdooClient;
  try {
    odoo = await connect();
  } catch (error) {
    return [
      { ...failure('Odoo', messageOf(error)), ...(isOdooSettingError(error) ? { setting: true } : {}) },
    ];
  }
  try {
    const items: CheckItem[] = [
      ok('Odoo', `${odoo.config.url} database ${odoo.config.db}: Odoo ${odoo.version} over ${odoo.protocol}`),
    ];
    let company: OdooCheckInput['company'];
    let companyProblem = '';
    try {
      company = await companyOf(odoo);
    } catch (error) {
      companyProblem = messageOf(error);
    }
    const input: OdooCheckInput = { odoo, config, rcp, company, companyProblem };
    for (const check of ODOO_CHECKS) {
      try {
        items.push(...[await check(input)].flat());
      } catch (error) {
        items.push(
          failure(
            check.name.replace(/^check/, '').toLowerCase(),
            `could not be checked: ${messageOf(error)}`,
          ),
        );
      }
    }
    return items;
  } finally {
    await odoo.close();
  }
}

async function checkCompany({ odoo, company, companyProblem }: OdooCheckInput): Promise<CheckItem> {
  const user = `${odoo.config.user} (id ${odoo.uid})`;
  if (!company) return failure('Odoo company', `user ${user}: ${companyProblem}`);
  return ok('Odoo company', `user ${user}, company ${company.id} (${company.name})`);
}

async function checkCurrency({ config, company }: OdooCheckInput): Promise<CheckItem> {
  if (!company) return failure('company currency', 'no company to read it from');
  const problem = companyCurrencyProblem(company, config.companyCurrency);
  return problem ? failure('company currency', problem) : ok('company currency', company.currency);
}

async function checkRights({ odoo }: OdooCheckInput): Promise<CheckItem[]> {
  return odooRights(odoo);
}

/** The rights the connector needs, asked of Odoo as it asks on this version (`has_access`, 17: `check_access_rights`). */
export async function odooRights(odoo: OdooClient): Promise<CheckItem[]> {
  const items: CheckItem[] = [];
  for (const [model, operation, why] of [
    ['res.partner', 'create', 'sync partners and clients (Contact Creation)'],
    ['product.product', 'create', 'sync products (Product Creation; on 17 Administration/Settings)'],
    ['product.pricelist', 'create', 'sync price lists'],
    ['account.move', 'create', 'make invoices (Invoicing/Billing)'],
    ['account.payment', 'read', 'push payments'],
  ] as const) {
    items.push(await checkRight(odoo, model, operation, why));
  }
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
      return allowed === true ? ok(what, 'yes') : failure(what, `no: needed to ${why}`);
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
  return failure(what, `could not be checked: needed to ${why}`);
}

/** INVOICE_TAX_IDS must name active SALE taxes of the company: a purchase tax or a missing id fails. */
async function checkTaxes({ odoo, config, company }: OdooCheckInput): Promise<CheckItem> {
  const what = 'INVOICE_TAX_IDS';
  const ids = config.invoicing.taxIds;
  if (ids.length === 0) return ok(what, 'empty: invoice lines carry no tax');
  const { problems, names } = await taxProblems(odoo, ids, company);
  if (problems.length > 0) {
    return failure(what, `${problems.join('; ')}. ${TAX_ADVICE}`);
  }
  return ok(what, ids.map((id) => `${id} (${names.get(id)})`).join(', '));
}

/** Odoo's 'Product Price' precision below what RCP's prices need: price lists show rounded prices. */
async function checkPricePrecision({ odoo, rcp }: OdooCheckInput): Promise<CheckItem> {
  const digits = (await decimalPrecisions(odoo)).priceDigits;
  const needed = rcp.priceDigits;
  if (digits >= needed) return ok('price precision', `'Product Price' keeps ${digits} decimals`);
  return warning(
    'price precision',
    `'Product Price' keeps ${digits} decimals but RCP prices need ${needed}: price lists show them rounded (invoices stay exact). \`rcp-odoo setup\` raises it, or Settings → Technical → Decimal Accuracy → Product Price = ${needed}.`,
  );
}

/** Redis is asked only when REDIS_URL is set (worker and enqueue need it). */
export async function checkRedis(config: Config): Promise<CheckItem[]> {
  if (!config.redisUrl) return [ok('Redis', 'REDIS_URL not set (needed only by worker and enqueue)')];
  try {
    await reachRedis(config.redisUrl);
    return [ok('Redis', `${shownRedisUrl(config.redisUrl)} answers PING`)];
  } catch (error) {
    return [failure('Redis', messageOf(error))];
  }
}

/**
 * The RCP workspace (`rcp-odoo setup`): made and current (its definition stamp in Odoo equals this
 * connector's), its database guards, the connector's user in its group, and the settings money
 * needs. A user who may not read system parameters (not an administrator) is told what could not
 * be seen.
 */
async function checkWorkspace({ odoo }: OdooCheckInput): Promise<CheckItem[]> {
  const what = 'RCP workspace';
  const expected = definitionVersion(workspaceDefinition(odoo.capabilities));
  // Groups are made first, and any internal user may see them (models need Access Rights).
  const group = (await externalIds(odoo).resolve([fullXmlid(GROUP_CONNECTOR)])).get(
    fullXmlid(GROUP_CONNECTOR),
  );
  if (group === undefined) {
    return [
      warning(
        what,
        'not set up: run `rcp-odoo setup` as an Odoo administrator (the RCP menu, its groups, the payments ledger and the settings money needs)',
      ),
    ];
  }
  const items: CheckItem[] = [];
  let stamp: string | undefined;
  let stampReadable = true;
  try {
    stamp = await readParam(odoo, PARAM_VERSION);
  } catch (error) {
    if (!(error instanceof OdooError && error.kind === 'access')) throw error;
    stampReadable = false;
  }
  items.push(
    !stampReadable
      ? ok(
          what,
          `set up (whether it is current needs an administrator's check; this connector's definition is ${expected})`,
        )
      : stamp === expected
        ? ok(what, `set up and current (definition ${expected})`)
        : failure(
            what,
            `set up with definition ${stamp ?? '(none)'}, this connector has ${expected}: run \`rcp-odoo setup\` again as an Odoo administrator`,
          ),
  );
  if (stampReadable) items.push(await checkGuards(odoo));
  const field = odoo.capabilities.userGroupsField;
  const [user] = await odoo.read<{ id: number } & Record<string, unknown>>('res.users', [odoo.uid], [field]);
  const member = ((user?.[field] as number[] | undefined) ?? []).includes(group.id);
  items.push(
    member
      ? ok(
          'connector group',
          `${odoo.config.user} is in "RCP connector (technical)": it alone writes the payments ledger`,
        )
      : failure(
          'connector group',
          `${odoo.config.user} is not in "RCP connector (technical)": run \`rcp-odoo setup --connector-user ${odoo.config.user}\` as an administrator`,
        ),
  );
  const settings = await readSettings(odoo);
  const quantityName = odoo.capabilities.quantityPrecision.name;
  items.push(
    settings.quantityDigits >= QUANTITY_DIGITS
      ? ok('quantity precision', `'${quantityName}' keeps ${settings.quantityDigits} decimals`)
      : warning(
          'quantity precision',
          `'${quantityName}' keeps ${settings.quantityDigits} decimals; RCP states quantities to ${QUANTITY_DIGITS}: \`rcp-odoo setup\` raises it`,
        ),
    settings.pricelists
      ? ok('Pricelists feature', 'on')
      : warning(
          'Pricelists feature',
          'off: Odoo 19 drops contacts’ price lists and they cannot be shown; `rcp-odoo setup` turns it on',
        ),
  );
  return items;
}

/**
 * The printed documents (Счёт на оплату, Акт, Счёт-фактура): made by setup, PDF possible (wkhtmltopdf
 * on the Odoo server, as Odoo itself reports it), and each requisite they print that is missing,
 * named with where to enter it (the provider's company, then the invoiced companies).
 */
async function checkDocuments({ odoo, config, company }: OdooCheckInput): Promise<CheckItem[]> {
  // Not made yet: the workspace item already says to run setup (a stale one, to run it again).
  if (!(await documentsInstalled(odoo))) return [];
  const items: CheckItem[] = [];
  const state = await wkhtmltopdfState(odoo);
  items.push(
    state === 'ok'
      ? ok('documents PDF', 'wkhtmltopdf works on the Odoo server: Print gives PDF')
      : warning(
          'documents PDF',
          `Odoo reports wkhtmltopdf "${state}": Print shows the documents as HTML (print them from the browser). For PDF, install the Debian package wkhtmltopdf on the Odoo server and restart Odoo${state === 'workers' ? ' with workers ≥ 2' : ''}.`,
        ),
  );
  if (!company) return items;
  try {
    const requisites = await readCompanyRequisites(odoo, company.id);
    const own = missingCompanyRequisites(requisites);
    items.push(
      own.length === 0
        ? ok('documents: provider requisites', `${company.name}: ИНН, КПП, address, bank, signatories set`)
        : warning(
            'documents: provider requisites',
            `${company.name} lacks what the documents print (they show "не указано" instead): ${own.join('; ')}`,
          ),
    );
    const invoiced = await readBuyerRequisites(odoo);
    const buyers = missingBuyerRequisites(invoiced);
    items.push(
      buyers.length === 0
        ? ok(
            'documents: buyer requisites',
            'every company of the RCP invoices has ИНН, КПП, address and contract number and date',
          )
        : warning(
            'documents: buyer requisites',
            `${buyers.length} RCP-invoiced compan${buyers.length === 1 ? 'y lacks' : 'ies lack'} what the VAT invoice prints (Contacts → the company: Tax ID, КПП, address): ${buyers.slice(0, 10).join('; ')}${buyers.length > 10 ? '; …' : ''}`,
          ),
    );
    const edo = missingEdoRequisites(requisites, config.edo?.sellerId, invoiced);
    items.push(
      edo.length === 0
        ? ok(
            'documents: ЭДО requisites',
            'the company and every RCP-invoiced company have an ЭДО participant id',
          )
        : warning(
            'documents: ЭДО requisites',
            `the УПД files (rcp-odoo documents --format upd-xml) need an ЭДО participant id of each side: ${edo.slice(0, 10).join('; ')}${edo.length > 10 ? '; …' : ''}`,
          ),
    );
  } catch (error) {
    if (!isAccessError(error)) throw error;
    items.push(
      ok(
        'documents: requisites',
        `${odoo.config.user} may not read them all: run \`rcp-odoo check\` as an administrator to see what the documents lack`,
      ),
    );
  }
  return items;
}

/** The unique indexes and triggers the workspace's rules rely on (read through setup's guards action, writing nothing). */
async function checkGuards(odoo: OdooClient): Promise<CheckItem> {
  const what = 'database guards';
  const action = (await externalIds(odoo).resolve([fullXmlid(ACTION_GUARDS)])).get(fullXmlid(ACTION_GUARDS));
  if (!action) return failure(what, 'missing: run `rcp-odoo setup` again');
  try {
    const { found, missing } = await readGuards(odoo, action.id, { checkOnly: true });
    return missing.length === 0
      ? ok(what, `in place: ${found.join(', ')}`)
      : failure(what, `missing ${missing.join(', ')}: run \`rcp-odoo setup\` again`);
  } catch (error) {
    if (error instanceof OdooError && error.kind === 'access') {
      return ok(what, 'not visible to this user (an administrator’s `check` shows them)');
    }
    throw error;
  }
}

/** Every item of `check`, and its counts: ready when none failed. */
export interface Readiness {
  ok: boolean;
  failures: number;
  warnings: number;
  checks: CheckItem[];
}

/**
 * RCP, Odoo, the settings and Redis, each checked with its own client (RCP tried twice, not the
 * usual backoff: a check waits for no one).
 */
export async function checkReadiness({ config, log }: { config: Config; log: Logger }): Promise<Readiness> {
  // `check` runs after its command read RCP and Odoo's settings (its `needs`): they are there.
  const { rcp: rcpConfig, odoo: odooConfig } = config;
  if (!rcpConfig || !odooConfig) throw new ConfigError(['check needs the RCP and Odoo settings']);
  const rcp = new RcpClient(rcpConfig, { log, backoff: { attempts: 2 } });
  const checks: CheckItem[] = [];
  try {
    const { items: rcpItems, facts } = await checkRcp(rcp);
    checks.push(...rcpItems);
    checks.push(...(await checkOdoo(() => OdooClient.connect(odooConfig, { log }), config, facts)));
    checks.push(...checkSettings(config, facts));
  } finally {
    await rcp.close();
  }
  checks.push(...(await checkRedis(config)));
  const failures = checks.filter((i) => i.status === 'failure').length;
  const warnings = checks.filter((i) => i.status === 'warning').length;
  return { ok: failures === 0, failures, warnings, checks };
}
