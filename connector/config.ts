/**
 * The only reader of process.env: environment (and `.env` when present) → one typed, validated Config.
 * Each command says which parts it needs; a missing or bad variable gives one line naming it with an
 * example value, and never echoes a secret's value.
 */
import { existsSync, readFileSync } from 'node:fs';
import cronParser from 'cron-parser';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { toKopecks } from '../mappings/money.ts';
import { DAY_PATTERN, INVOICE_DATE_RULES, type InvoiceDateRule } from '../mappings/period.ts';
import { ConfigError, messageOf } from './errors.ts';
import { SECRET_VARIABLES, Secret } from './secret.ts';

export type Need = 'rcp' | 'odoo' | 'redis' | 'payments';

export interface RcpConfig {
  /** Base of the API, with `/v1` added. */
  baseUrl: string;
  auth: { kind: 'token'; token: Secret } | { kind: 'login'; login: string; password: Secret; domain: string };
  concurrency: number;
  timeoutMs: number;
  /** Answers larger than this are refused unread (RCP_MAX_ANSWER_MB; default 32 MB). */
  maxAnswerBytes?: number;
  /** Tries per read, and the longest `Retry-After` waited in-process (a longer one fails the read at once). */
  retry?: { attempts: number; maxRetryAfterMs: number };
}

export interface OdooConfig {
  url: string;
  db: string;
  user: string;
  secret: { kind: 'apiKey' | 'password'; value: Secret };
  companyId: number | undefined;
  batchSize: number;
  concurrency: number;
  timeoutMs: number;
}

export interface Schedules {
  timezone: string;
  /** Cron expressions, or undefined when switched off. */
  sync: string | undefined;
  payments: string | undefined;
  invoices: string | undefined;
}

export interface Config {
  rcp: RcpConfig | undefined;
  odoo: OdooConfig | undefined;
  redisUrl: string | undefined;
  /** Own partners' uuids, lower case. */
  ownPartnerIds: readonly string[];
  /** ISO code of the currency RCP bills in, which the Odoo company must keep its books in. */
  companyCurrency: string;
  /** `RCP_OWN_PARTNER_IDS=none`: no own partners, on purpose (an empty list is refused for invoicing). */
  noOwnPartners: boolean;
  payments: { since: string | undefined; mode: 'posted' | 'reconciled' };
  invoicing: {
    /** Odoo account.tax ids put on every invoice line; empty means explicitly no tax. */
    taxIds: readonly number[];
    invoiceDate: InvoiceDateRule;
    postpayTermDays: number;
    journalId: number | undefined;
    /** The plausibility bound of one invoice, in kopecks: above it the invoice is not made, and is named. */
    maxAmountKopecks: number;
    /**
     * CLAIM_LEASE_SECONDS: how long an invoice claim in Odoo lives without its holder's heartbeat;
     * a run that finds one older takes it over at once (its holder stopped).
     */
    claimLeaseSeconds: number;
  };
  schedules: Schedules;
  /** The worker's HTTP side: loopback unless WORKER_HOST says otherwise (e.g. 0.0.0.0 in a container). */
  worker: {
    port: number;
    host: string;
    dashboardToken: Secret | undefined;
    /** ODOO_POLL_SECONDS: how often the worker asks Odoo for runs requested in RCP → Runs. */
    pollSeconds?: number;
    /** RUN_STALE_SECONDS: a run running this long without progress is taken for dead (its worker stopped). */
    runStaleSeconds?: number;
  };
  /** SYNC_NEW_COUNTERPARTIES: a new RCP partner or client gets a new Odoo company, or waits to be matched. */
  newCounterparties?: 'create' | 'match';
  /** The УПД files for ЭДО (`documents --format upd-xml`): the seller's participant id and VAT status. */
  edo?: { sellerId: string | undefined; vatPayer: boolean | undefined };
  logLevel: string;
}

type Env = Record<string, string | undefined>;

const SECRET_VARS: ReadonlySet<string> = new Set(SECRET_VARIABLES);

const EXAMPLES: Record<string, string> = {
  RCP_URL: 'https://panel.example.com',
  RCP_TOKEN: 'a token made in the RCP portal (Settings → Sessions)',
  RCP_LOGIN: 'accountant@example.com',
  RCP_PASSWORD: 'the RCP user’s password',
  RCP_DOMAIN: 'default',
  RCP_CONCURRENCY: '4',
  RCP_TIMEOUT_MS: '30000',
  RCP_RETRY_ATTEMPTS: '5',
  RCP_MAX_ANSWER_MB: '32',
  RCP_MAX_RETRY_WAIT_SECONDS: '60',
  ODOO_URL: 'http://localhost:8069',
  ODOO_DB: 'odoo',
  ODOO_USER: 'rcp_integration',
  ODOO_PASSWORD: 'the Odoo user’s password',
  ODOO_API_KEY: 'an API key from Odoo (Preferences → Account Security)',
  ODOO_COMPANY_ID: '1',
  COMPANY_CURRENCY: 'RUB',
  ODOO_BATCH_SIZE: '500',
  ODOO_CONCURRENCY: '2',
  ODOO_TIMEOUT_MS: '120000',
  RCP_OWN_PARTNER_IDS:
    '6a1f0c2e-0000-4000-8000-000000000001,6a1f0c2e-0000-4000-8000-000000000002 (or none: no own partners, on purpose)',
  PAYMENTS_SINCE: '2026-01-01',
  PAYMENTS_MODE: 'posted',
  REDIS_URL: 'redis://localhost:6379',
  INVOICE_TAX_IDS: '12 (leave empty for no tax)',
  INVOICE_DATE: 'period-end',
  INVOICE_JOURNAL_ID: '1',
  POSTPAY_TERM_DAYS: '30',
  INVOICE_MAX_AMOUNT: '100000000',
  CLAIM_LEASE_SECONDS: '60',
  SCHEDULE_TIMEZONE: 'Europe/Moscow',
  SCHEDULE_SYNC: '0 2 * * *',
  SCHEDULE_PAYMENTS: '0 7 * * *',
  SCHEDULE_INVOICES: '0 6 1 * * (or off)',
  WORKER_PORT: '9464',
  WORKER_HOST: '127.0.0.1 (0.0.0.0 to listen on every interface)',
  DASHBOARD_TOKEN: 'a long random string',
  ODOO_POLL_SECONDS: '10',
  RUN_STALE_SECONDS: '900',
  SYNC_NEW_COUNTERPARTIES: 'create (or match: new counterparties wait in RCP → Counterparties)',
  EDO_SELLER_ID: '2BM-7707083893-773601001-201411170000000000000 (the company’s id at its ЭДО operator)',
  EDO_SELLER_VAT_PAYER: 'yes (УПД status 1) or no (status 2); unset: by whether the invoice has VAT',
  LOG_LEVEL: 'info',
};

/** Every variable the connector reads (for .env.example and docker-compose checks). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(EXAMPLES);

const uuid = z.string().uuid();

/**
 * The largest invoice made without a question (rubles): ten times what a large reseller of the
 * bench pays a month, and far below what a broken usage row makes (the 165-billion draft).
 */
export const DEFAULT_INVOICE_MAX_AMOUNT = 100_000_000;
const isoDate = z
  .string()
  .regex(DAY_PATTERN)
  .refine(
    (s) =>
      !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
  );
const httpUrl = z
  .string()
  .url()
  .refine((s) => /^https?:\/\//.test(s), 'must start with http:// or https://');
const positiveInt = z.coerce.number().int().positive();
const cron = z
  .string()
  .refine(
    (s) => s.trim().split(/\s+/).length >= 5 && s.trim().split(/\s+/).length <= 6,
    'not a cron expression',
  );

function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Reads `.env` (when present) under the real environment: a variable already set wins. */
export function readEnv(env: Env = process.env, dotenvPath = '.env'): Env {
  if (!existsSync(dotenvPath)) return { ...env };
  const fromFile = parseDotenv(readFileSync(dotenvPath));
  return { ...fromFile, ...env };
}

/**
 * The configuration as a command reads it at this moment: the process environment (as the process
 * started; nothing in the connector writes to it) and `.env` as the file is now, real variables
 * winning. The CLI reads it once per command; the worker once per run, so a changed `.env` (a tax,
 * a journal, the own partners) is never applied with yesterday's values, and a now-invalid one
 * refuses the run with its reasons.
 */
export function currentConfig(
  needs: readonly Need[],
  sources: { env?: Env; dotenvPath?: string } = {},
): Config {
  return loadConfig(needs, readEnv(sources.env ?? process.env, sources.dotenvPath ?? '.env'));
}

class Problems {
  readonly list: string[] = [];
  missing(name: string, why = 'is missing'): void {
    this.list.push(`${name} ${why}: set it, e.g. ${name}=${EXAMPLES[name] ?? '…'}`);
  }
  bad(name: string, value: string, why: string): void {
    const shown = SECRET_VARS.has(name) ? '' : ` (got "${withoutUserInfo(value)}")`;
    this.list.push(`${name} is not valid${shown}: ${why}; e.g. ${name}=${EXAMPLES[name] ?? '…'}`);
  }
}

/** Reads one variable through a schema; reports and returns undefined when it is bad. */
function field<T>(
  env: Env,
  name: string,
  schema: z.ZodType<T>,
  problems: Problems,
  why: string,
): T | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const parsed = schema.safeParse(raw.trim());
  if (parsed.success) return parsed.data;
  problems.bad(name, raw, why);
  return undefined;
}

/** `http://user:pass@host` → `http://…@host`: a password inside an address is never shown. */
function withoutUserInfo(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1…@');
}

/**
 * An address with a user or password in it (`http://user:pass@host`) is refused without being
 * shown: the connector would not send those credentials anyway, and the address appears in
 * messages and logs, where a password must never be.
 */
function readUrl(env: Env, name: string, problems: Problems, why: string, use: string): string | undefined {
  const raw = env[name]?.trim();
  if (raw && withoutUserInfo(raw) !== raw) {
    problems.list.push(
      `${name} carries a user name or password (not shown): remove it, e.g. ${name}=${EXAMPLES[name]}; ${use}`,
    );
    return undefined;
  }
  return field(env, name, httpUrl, problems, why);
}

function nonEmpty(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

function readRcp(env: Env, problems: Problems, needed: boolean): RcpConfig | undefined {
  const url = readUrl(
    env,
    'RCP_URL',
    problems,
    'must be the http(s) address of the control panel',
    'RCP access goes in RCP_TOKEN, or RCP_LOGIN and RCP_PASSWORD',
  );
  const token = nonEmpty(env, 'RCP_TOKEN');
  const login = nonEmpty(env, 'RCP_LOGIN');
  const password = nonEmpty(env, 'RCP_PASSWORD');
  const concurrency =
    field(env, 'RCP_CONCURRENCY', positiveInt.max(64), problems, 'a whole number 1–64') ?? 4;
  const timeoutMs =
    field(env, 'RCP_TIMEOUT_MS', positiveInt, problems, 'milliseconds, a whole number') ?? 30_000;
  const retry = {
    attempts: field(env, 'RCP_RETRY_ATTEMPTS', positiveInt.max(20), problems, 'a whole number 1–20') ?? 5,
    maxRetryAfterMs:
      (field(
        env,
        'RCP_MAX_RETRY_WAIT_SECONDS',
        z.coerce.number().int().min(0).max(3600),
        problems,
        'seconds, 0–3600',
      ) ?? 60) * 1000,
  };
  const maxAnswerBytes =
    (field(env, 'RCP_MAX_ANSWER_MB', positiveInt.max(1024), problems, 'megabytes, a whole number 1–1024') ??
      32) * 1_048_576;
  if (!needed) return undefined;
  if (env.RCP_URL === undefined || env.RCP_URL.trim() === '') problems.missing('RCP_URL');
  if (!token && !(login && password)) {
    if (login && !password) problems.missing('RCP_PASSWORD', 'is missing (RCP_LOGIN is set)');
    else if (password && !login) problems.missing('RCP_LOGIN', 'is missing (RCP_PASSWORD is set)');
    else problems.missing('RCP_TOKEN', 'is missing (or set RCP_LOGIN and RCP_PASSWORD)');
  }
  if (!url) return undefined;
  const baseUrl = `${url.replace(/\/+$/, '').replace(/\/v1$/, '')}/v1`;
  if (token)
    return {
      baseUrl,
      auth: { kind: 'token', token: new Secret(token) },
      concurrency,
      timeoutMs,
      retry,
      maxAnswerBytes,
    };
  if (login && password) {
    const domain = nonEmpty(env, 'RCP_DOMAIN') ?? 'default';
    return {
      baseUrl,
      auth: { kind: 'login', login, password: new Secret(password), domain },
      concurrency,
      timeoutMs,
      retry,
      maxAnswerBytes,
    };
  }
  return undefined;
}

function readOdoo(env: Env, problems: Problems, needed: boolean): OdooConfig | undefined {
  const url = readUrl(
    env,
    'ODOO_URL',
    problems,
    'must be the http(s) address of your Odoo',
    'the login goes in ODOO_USER and ODOO_PASSWORD or ODOO_API_KEY',
  );
  const companyId = field(env, 'ODOO_COMPANY_ID', positiveInt, problems, 'the numeric id of a res.company');
  const batchSize =
    field(env, 'ODOO_BATCH_SIZE', positiveInt.max(5000), problems, 'a whole number 1–5000') ?? 500;
  const concurrency =
    field(env, 'ODOO_CONCURRENCY', positiveInt.max(16), problems, 'a whole number 1–16') ?? 2;
  const timeoutMs =
    field(env, 'ODOO_TIMEOUT_MS', positiveInt, problems, 'milliseconds, a whole number') ?? 120_000;
  const db = nonEmpty(env, 'ODOO_DB');
  const user = nonEmpty(env, 'ODOO_USER');
  const apiKey = nonEmpty(env, 'ODOO_API_KEY');
  const password = nonEmpty(env, 'ODOO_PASSWORD');
  if (!needed) return undefined;
  if (env.ODOO_URL === undefined || env.ODOO_URL.trim() === '') problems.missing('ODOO_URL');
  if (!db) problems.missing('ODOO_DB');
  if (!user) problems.missing('ODOO_USER');
  if (!apiKey && !password) problems.missing('ODOO_API_KEY', 'is missing (or set ODOO_PASSWORD)');
  if (!url || !db || !user || !(apiKey || password)) return undefined;
  const secret = apiKey
    ? { kind: 'apiKey' as const, value: new Secret(apiKey) }
    : { kind: 'password' as const, value: new Secret(password ?? '') };
  return { url: url.replace(/\/+$/, ''), db, user, secret, companyId, batchSize, concurrency, timeoutMs };
}

function readSchedule(env: Env, name: string, fallback: string, problems: Problems): string | undefined {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return fallback;
  if (raw.toLowerCase() === 'off') return undefined;
  const why = 'five cron fields (minute hour day month weekday) or "off"';
  const pattern = field(env, name, cron, problems, why);
  if (pattern === undefined) return undefined;
  // The parser BullMQ schedules with: a pattern it refuses fails here, not when the worker starts.
  try {
    cronParser.parseExpression(pattern);
  } catch (error) {
    problems.bad(name, raw, `${messageOf(error)}; ${why}`);
    return undefined;
  }
  return pattern;
}

/** Reads and validates the configuration a command needs; throws ConfigError listing every problem. */
export function loadConfig(needs: readonly Need[], env: Env = readEnv()): Config {
  const problems = new Problems();
  const need = (n: Need) => needs.includes(n);

  const rcp = readRcp(env, problems, need('rcp'));
  const odoo = readOdoo(env, problems, need('odoo'));

  const redisUrl = field(
    env,
    'REDIS_URL',
    z.string().regex(/^rediss?:\/\//, 'must start with redis://'),
    problems,
    'a redis:// address',
  );
  if (need('redis') && !nonEmpty(env, 'REDIS_URL')) problems.missing('REDIS_URL');

  const ownRaw = nonEmpty(env, 'RCP_OWN_PARTNER_IDS') ?? '';
  const noOwnPartners = ownRaw.toLowerCase() === 'none';
  const ownPartnerIds = noOwnPartners
    ? []
    : ownRaw
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean);
  for (const id of ownPartnerIds) {
    if (!uuid.safeParse(id).success) problems.bad('RCP_OWN_PARTNER_IDS', ownRaw, `"${id}" is not a uuid`);
  }

  const companyCurrency =
    field(env, 'COMPANY_CURRENCY', z.string().regex(/^[A-Z]{3}$/), problems, 'an ISO 4217 code') ?? 'RUB';

  const since = field(env, 'PAYMENTS_SINCE', isoDate, problems, 'a date YYYY-MM-DD');
  if (need('payments') && !nonEmpty(env, 'PAYMENTS_SINCE')) {
    problems.missing('PAYMENTS_SINCE', 'is missing: payments are never pushed without a start date');
  }
  const mode =
    field(env, 'PAYMENTS_MODE', z.enum(['posted', 'reconciled']), problems, 'one of posted, reconciled') ??
    'posted';

  const taxRaw = nonEmpty(env, 'INVOICE_TAX_IDS') ?? '';
  const taxIds: number[] = [];
  for (const part of taxRaw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const n = Number(part);
    if (Number.isInteger(n) && n > 0) taxIds.push(n);
    else problems.bad('INVOICE_TAX_IDS', taxRaw, `"${part}" is not an account.tax id`);
  }
  const invoiceDate =
    field(
      env,
      'INVOICE_DATE',
      z.enum(INVOICE_DATE_RULES),
      problems,
      `one of ${INVOICE_DATE_RULES.join(', ')}`,
    ) ?? 'period-end';
  const postpayTermDays =
    field(env, 'POSTPAY_TERM_DAYS', z.coerce.number().int().min(0).max(365), problems, 'days, 0–365') ?? 30;
  const journalId = field(
    env,
    'INVOICE_JOURNAL_ID',
    positiveInt,
    problems,
    'the id of a sale account.journal',
  );
  const maxAmount =
    field(
      env,
      'INVOICE_MAX_AMOUNT',
      z
        .string()
        .regex(/^\d{1,13}(\.\d{1,2})?$/)
        .transform(Number)
        .pipe(z.number().positive()),
      problems,
      'an amount in rubles above 0, e.g. 100000000 or 2500000.50',
    ) ?? DEFAULT_INVOICE_MAX_AMOUNT;

  const claimLeaseSeconds =
    field(
      env,
      'CLAIM_LEASE_SECONDS',
      z.coerce.number().int().min(5).max(3600),
      problems,
      'seconds, 5 to 3600',
    ) ?? 60;

  const timezone = nonEmpty(env, 'SCHEDULE_TIMEZONE') ?? 'UTC';
  if (!isValidTimezone(timezone)) problems.bad('SCHEDULE_TIMEZONE', timezone, 'not an IANA time zone');
  const schedules: Schedules = {
    timezone,
    sync: readSchedule(env, 'SCHEDULE_SYNC', '0 2 * * *', problems),
    payments: readSchedule(env, 'SCHEDULE_PAYMENTS', '0 7 * * *', problems),
    invoices: readSchedule(env, 'SCHEDULE_INVOICES', '0 6 1 * *', problems),
  };
  const port =
    field(env, 'WORKER_PORT', z.coerce.number().int().min(0).max(65535), problems, 'a port') ?? 9464;
  const host =
    field(
      env,
      'WORKER_HOST',
      z.string().regex(/^[\w.:-]+$/),
      problems,
      'an address to listen on, e.g. 127.0.0.1, 0.0.0.0 or ::',
    ) ?? '127.0.0.1';
  const dashboardToken = nonEmpty(env, 'DASHBOARD_TOKEN');
  const pollSeconds =
    field(
      env,
      'ODOO_POLL_SECONDS',
      z.coerce.number().int().min(1).max(3600),
      problems,
      'seconds, 1 to 3600',
    ) ?? 10;
  const runStaleSeconds =
    field(env, 'RUN_STALE_SECONDS', z.coerce.number().int().min(60), problems, 'seconds, at least 60') ?? 900;
  const newCounterparties =
    field(
      env,
      'SYNC_NEW_COUNTERPARTIES',
      z.enum(['create', 'match']),
      problems,
      'create (a new Odoo company) or match (wait for an accountant in RCP → Counterparties)',
    ) ?? 'create';
  const logLevel =
    field(
      env,
      'LOG_LEVEL',
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
      problems,
      'one of error, warn, info, debug',
    ) ?? 'info';

  const edoSellerId = field(
    env,
    'EDO_SELLER_ID',
    z.string().regex(/^[0-9A-Za-z-]{4,46}$/),
    problems,
    'the ЭДО participant id: 4–46 letters, digits or -',
  );
  const edoVatPayer = field(env, 'EDO_SELLER_VAT_PAYER', z.enum(['yes', 'no']), problems, 'yes or no');

  if (problems.list.length > 0) throw new ConfigError(problems.list);
  return {
    rcp,
    odoo,
    redisUrl,
    ownPartnerIds,
    companyCurrency,
    noOwnPartners,
    payments: { since, mode },
    invoicing: {
      taxIds,
      invoiceDate,
      postpayTermDays,
      journalId,
      maxAmountKopecks: toKopecks(maxAmount),
      claimLeaseSeconds,
    },
    schedules,
    worker: {
      port,
      host,
      dashboardToken: dashboardToken ? new Secret(dashboardToken) : undefined,
      pollSeconds,
      runStaleSeconds,
    },
    newCounterparties,
    edo: { sellerId: edoSellerId, vatPayer: edoVatPayer === undefined ? undefined : edoVatPayer === 'yes' },
    logLevel,
  };
}
