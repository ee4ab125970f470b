/**
 * The only reader of process.env: environment (and `.env` when present) → one typed, validated Config.
 * Every variable is one row of VARIABLES (its schema, default, example, whether it is secret); the
 * loader reads the rows and the Config type is what it returns. Each command says which parts it
 * needs, and gets those parts typed as present (`ConfigFor`); a missing or bad variable gives one
 * line naming it with an example value, and never echoes a secret's value.
 */
import { existsSync, readFileSync } from 'node:fs';
import cronParser from 'cron-parser';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { toKopecks } from '../mappings/money.ts';
import { DAY_PATTERN, INVOICE_DATE_RULES } from '../mappings/period.ts';
import { ConfigError, messageOf } from './errors.ts';
import { Secret } from './secret.ts';

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

type Env = Record<string, string | undefined>;

/**
 * One variable: how its (trimmed, non-empty) value is read, its default, an example value for
 * messages, whether it is secret (never shown), and what a valid value is, said when one is not
 * (otherwise the schema's own message).
 */
interface Variable<S extends z.ZodTypeAny = z.ZodTypeAny> {
  schema: S;
  default?: z.output<S>;
  example: string;
  secret?: true;
  expected?: string;
  /** An address that must carry no user or password: where those go instead. */
  credentialsGoIn?: string;
}

function variable<S extends z.ZodTypeAny>(
  row: Variable<S> & { default: NoInfer<z.output<S>> },
): Variable<S> & { default: z.output<S> };
function variable<S extends z.ZodTypeAny>(
  row: Variable<S> & { default?: undefined },
): Variable<S> & { default?: undefined };
function variable(row: Variable): Variable {
  return row;
}

const text = z.string();
const secret = z.string().transform((s) => new Secret(s));
const whole = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const httpUrl = z
  .string()
  .url()
  .refine((s) => /^https?:\/\//.test(s), 'must start with http:// or https://')
  .transform((s) => s.replace(/\/+$/, ''));
const isoDate = z
  .string()
  .regex(DAY_PATTERN)
  .refine(
    (s) =>
      !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
  );

/** A comma-separated list, each part read by `part` (undefined: not one, as `problem` says). */
function listOf<T>(part: (value: string) => T | undefined, problem: (value: string) => string) {
  return z.string().transform((raw, ctx) => {
    const values: T[] = [];
    for (const p of raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const read = part(p);
      if (read === undefined) ctx.addIssue({ code: 'custom', message: problem(p) });
      else values.push(read);
    }
    return values;
  });
}

const CRON_EXPECTED = 'five cron fields (minute hour day month weekday) or "off"';
/** A schedule: cron fields the scheduler (BullMQ's parser) accepts, or `off` (undefined). */
const schedule = z.string().transform((raw, ctx): string | undefined => {
  if (raw.toLowerCase() === 'off') return undefined;
  const fields = raw.split(/\s+/).length;
  if (fields < 5 || fields > 6) {
    ctx.addIssue({ code: 'custom', message: CRON_EXPECTED });
    return undefined;
  }
  // A pattern the scheduler refuses fails here, not when the worker starts.
  try {
    cronParser.parseExpression(raw);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `${messageOf(error)}; ${CRON_EXPECTED}` });
  }
  return raw;
});

function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * The largest invoice made without a question (rubles): ten times what a large reseller of the
 * bench pays a month, and far below what a broken usage row makes (the issue's 165-billion draft).
 */
export const DEFAULT_INVOICE_MAX_AMOUNT = 100_000_000;

/** Every variable the connector reads, once. The README's table and `.env.example` list each (a test says so). */
export const VARIABLES = {
  RCP_URL: variable({
    schema: httpUrl,
    example: 'https://panel.example.com',
    expected: 'must be the http(s) address of the control panel',
    credentialsGoIn: 'RCP access goes in RCP_TOKEN, or RCP_LOGIN and RCP_PASSWORD',
  }),
  RCP_TOKEN: variable({
    schema: secret,
    secret: true,
    example: 'a token made in the RCP portal (Settings → Sessions)',
  }),
  RCP_LOGIN: variable({ schema: text, example: 'accountant@example.com' }),
  RCP_PASSWORD: variable({ schema: secret, secret: true, example: 'the RCP user’s password' }),
  RCP_DOMAIN: variable({ schema: text, default: 'default', example: 'default' }),
  RCP_CONCURRENCY: variable({
    schema: whole(1, 64),
    default: 4,
    example: '4',
    expected: 'a whole number 1–64',
  }),
  RCP_TIMEOUT_MS: variable({
    schema: whole(1),
    default: 30_000,
    example: '30000',
    expected: 'milliseconds, a whole number',
  }),
  RCP_RETRY_ATTEMPTS: variable({
    schema: whole(1, 20),
    default: 5,
    example: '5',
    expected: 'a whole number 1–20',
  }),
  RCP_MAX_ANSWER_MB: variable({
    schema: whole(1, 1024),
    default: 32,
    example: '32',
    expected: 'megabytes, a whole number 1–1024',
  }),
  RCP_MAX_RETRY_WAIT_SECONDS: variable({
    schema: whole(0, 3600),
    default: 60,
    example: '60',
    expected: 'seconds, 0–3600',
  }),
  ODOO_URL: variable({
    schema: httpUrl,
    example: 'http://localhost:8069',
    expected: 'must be the http(s) address of your Odoo',
    credentialsGoIn: 'the login goes in ODOO_USER and ODOO_PASSWORD or ODOO_API_KEY',
  }),
  ODOO_DB: variable({ schema: text, example: 'odoo' }),
  ODOO_USER: variable({ schema: text, example: 'rcp_integration' }),
  ODOO_PASSWORD: variable({ schema: secret, secret: true, example: 'the Odoo user’s password' }),
  ODOO_API_KEY: variable({
    schema: secret,
    secret: true,
    example: 'an API key from Odoo (Preferences → Account Security)',
  }),
  ODOO_COMPANY_ID: variable({
    schema: whole(1),
    example: '1',
    expected: 'the numeric id of a res.company',
  }),
  COMPANY_CURRENCY: variable({
    schema: z.string().regex(/^[A-Z]{3}$/),
    default: 'RUB',
    example: 'RUB',
    expected: 'an ISO 4217 code',
  }),
  ODOO_BATCH_SIZE: variable({
    schema: whole(1, 5000),
    default: 500,
    example: '500',
    expected: 'a whole number 1–5000',
  }),
  ODOO_CONCURRENCY: variable({
    schema: whole(1, 16),
    default: 2,
    example: '2',
    expected: 'a whole number 1–16',
  }),
  ODOO_TIMEOUT_MS: variable({
    schema: whole(1),
    default: 120_000,
    example: '120000',
    expected: 'milliseconds, a whole number',
  }),
  RCP_OWN_PARTNER_IDS: variable({
    // `none`: no own partners, on purpose (an empty list is refused for invoicing).
    schema: z.string().transform((raw, ctx) => {
      if (raw.toLowerCase() === 'none') return { ids: [] as string[], none: true };
      const ids = listOf(
        (part) => (z.string().uuid().safeParse(part).success ? part.toLowerCase() : undefined),
        (part) => `"${part.toLowerCase()}" is not a uuid`,
      ).safeParse(raw);
      if (ids.success) return { ids: ids.data, none: false };
      for (const issue of ids.error.issues) ctx.addIssue(issue);
      return { ids: [] as string[], none: false };
    }),
    default: { ids: [], none: false },
    example:
      '6a1f0c2e-0000-4000-8000-000000000001,6a1f0c2e-0000-4000-8000-000000000002 (or none: no own partners, on purpose)',
  }),
  PAYMENTS_SINCE: variable({ schema: isoDate, example: '2026-01-01', expected: 'a date YYYY-MM-DD' }),
  PAYMENTS_MODE: variable({
    schema: z.enum(['posted', 'reconciled']),
    default: 'posted',
    example: 'posted',
    expected: 'one of posted, reconciled',
  }),
  REDIS_URL: variable({
    schema: z.string().regex(/^rediss?:\/\//, 'must start with redis://'),
    example: 'redis://localhost:6379',
    expected: 'a redis:// address',
  }),
  INVOICE_TAX_IDS: variable({
    schema: listOf(
      (part) => (Number.isInteger(Number(part)) && Number(part) > 0 ? Number(part) : undefined),
      (part) => `"${part}" is not an account.tax id`,
    ),
    default: [],
    example: '12 (leave empty for no tax)',
  }),
  INVOICE_DATE: variable({
    schema: z.enum(INVOICE_DATE_RULES),
    default: 'period-end',
    example: 'period-end',
    expected: `one of ${INVOICE_DATE_RULES.join(', ')}`,
  }),
  INVOICE_JOURNAL_ID: variable({
    schema: whole(1),
    example: '1',
    expected: 'the id of a sale account.journal',
  }),
  POSTPAY_TERM_DAYS: variable({
    schema: whole(0, 365),
    default: 30,
    example: '30',
    expected: 'days, 0–365',
  }),
  INVOICE_MAX_AMOUNT: variable({
    schema: z
      .string()
      .regex(/^\d{1,13}(\.\d{1,2})?$/)
      .transform(Number)
      .pipe(z.number().positive())
      .transform(toKopecks),
    default: toKopecks(DEFAULT_INVOICE_MAX_AMOUNT),
    example: '100000000',
    expected: 'an amount in rubles above 0, e.g. 100000000 or 2500000.50',
  }),
  CLAIM_LEASE_SECONDS: variable({
    schema: whole(5, 3600),
    default: 60,
    example: '60',
    expected: 'seconds, 5 to 3600',
  }),
  SCHEDULE_TIMEZONE: variable({
    schema: z.string().refine(isValidTimezone, 'not an IANA time zone'),
    default: 'UTC',
    example: 'Europe/Moscow',
  }),
  SCHEDULE_SYNC: variable({ schema: schedule, default: '0 2 * * *', example: '0 2 * * *' }),
  SCHEDULE_PAYMENTS: variable({ schema: schedule, default: '0 7 * * *', example: '0 7 * * *' }),
  SCHEDULE_INVOICES: variable({ schema: schedule, default: '0 6 1 * *', example: '0 6 1 * * (or off)' }),
  WORKER_PORT: variable({ schema: whole(0, 65535), default: 9464, example: '9464', expected: 'a port' }),
  WORKER_HOST: variable({
    schema: z.string().regex(/^[\w.:-]+$/),
    default: '127.0.0.1',
    example: '127.0.0.1 (0.0.0.0 to listen on every interface)',
    expected: 'an address to listen on, e.g. 127.0.0.1, 0.0.0.0 or ::',
  }),
  DASHBOARD_TOKEN: variable({ schema: secret, secret: true, example: 'a long random string' }),
  ODOO_POLL_SECONDS: variable({
    schema: whole(1, 3600),
    default: 10,
    example: '10',
    expected: 'seconds, 1 to 3600',
  }),
  RUN_STALE_SECONDS: variable({
    schema: whole(60),
    default: 900,
    example: '900',
    expected: 'seconds, at least 60',
  }),
  SYNC_NEW_COUNTERPARTIES: variable({
    schema: z.enum(['create', 'match']),
    default: 'create',
    example: 'create (or match: new counterparties wait in RCP → Counterparties)',
    expected: 'create (a new Odoo company) or match (wait for an accountant in RCP → Counterparties)',
  }),
  EDO_SELLER_ID: variable({
    schema: z.string().regex(/^[0-9A-Za-z-]{4,46}$/),
    example: '2BM-7707083893-773601001-201411170000000000000 (the company’s id at its ЭДО operator)',
    expected: 'the ЭДО participant id: 4–46 letters, digits or -',
  }),
  EDO_SELLER_VAT_PAYER: variable({
    schema: z.enum(['yes', 'no']).transform((v) => v === 'yes'),
    example: 'yes (УПД status 1) or no (status 2); unset: by whether the invoice has VAT',
    expected: 'yes or no',
  }),
  ODOO_INSTALL_RUSSIAN: variable({
    schema: z.enum(['yes', 'no']).transform((v) => v === 'yes'),
    default: false,
    example: 'yes (setup activates Russian in Odoo when missing)',
    expected: 'yes or no',
  }),
  LOG_LEVEL: variable({
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    example: 'info',
    expected: 'one of error, warn, info, debug',
  }),
};

type Name = keyof typeof VARIABLES;
/** A variable's value as read: its default when unset, or undefined when it has none. */
type ValueOf<V> = V extends { schema: infer S extends z.ZodTypeAny }
  ? V extends { default: unknown }
    ? z.output<S>
    : z.output<S> | undefined
  : never;
type Values = { [K in Name]: ValueOf<(typeof VARIABLES)[K]> };

/** Every variable the connector reads (for .env.example, the README and docker-compose checks). */
export const CONFIG_VARIABLES: readonly Name[] = Object.keys(VARIABLES) as Name[];

/** Variables whose values are never shown: not in a log, not even in an error about them. */
export const SECRET_VARIABLES: readonly Name[] = CONFIG_VARIABLES.filter(
  (name) => (VARIABLES[name] as Variable).secret,
);

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
export function currentConfig<N extends Need>(
  needs: readonly N[],
  sources: { env?: Env; dotenvPath?: string } = {},
): ConfigFor<N> {
  return loadConfig(needs, readEnv(sources.env ?? process.env, sources.dotenvPath ?? '.env'));
}

/** `http://user:pass@host` → `http://…@host`: a password inside an address is never shown. */
function withoutUserInfo(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1…@');
}

class Problems {
  readonly list: string[] = [];
  missing(name: Name, why = 'is missing'): void {
    this.list.push(`${name} ${why}: set it, e.g. ${name}=${VARIABLES[name].example}`);
  }
  bad(name: Name, value: string, why: string): void {
    const shown = SECRET_VARIABLES.includes(name) ? '' : ` (got "${withoutUserInfo(value)}")`;
    this.list.push(`${name} is not valid${shown}: ${why}; e.g. ${name}=${VARIABLES[name].example}`);
  }
}

/**
 * Reads every variable by its row, in the table's order: its default when unset, undefined (and a
 * problem) when bad. An address with a user or password in it (`http://user:pass@host`) is refused
 * without being shown: the connector would not send those credentials anyway, and the address
 * appears in messages and logs, where a password must never be.
 */
function readVariables(env: Env, problems: Problems): Values {
  const values: Record<string, unknown> = {};
  for (const name of CONFIG_VARIABLES) {
    const row: Variable = VARIABLES[name];
    const raw = env[name]?.trim();
    if (!raw) {
      values[name] = row.default;
      continue;
    }
    if (row.credentialsGoIn && withoutUserInfo(raw) !== raw) {
      problems.list.push(
        `${name} carries a user name or password (not shown): remove it, e.g. ${name}=${row.example}; ${row.credentialsGoIn}`,
      );
      continue;
    }
    const parsed = row.schema.safeParse(raw);
    if (parsed.success) values[name] = parsed.data;
    else if (row.expected) problems.bad(name, raw, row.expected);
    else for (const issue of parsed.error.issues) problems.bad(name, raw, issue.message);
  }
  return values as Values;
}

function rcpOf(v: Values, env: Env, problems: Problems, needed: boolean): RcpConfig | undefined {
  if (!needed) return undefined;
  const token = v.RCP_TOKEN;
  const login = v.RCP_LOGIN;
  const password = v.RCP_PASSWORD;
  if (!env.RCP_URL?.trim()) problems.missing('RCP_URL');
  if (!token && !(login && password)) {
    if (login && !password) problems.missing('RCP_PASSWORD', 'is missing (RCP_LOGIN is set)');
    else if (password && !login) problems.missing('RCP_LOGIN', 'is missing (RCP_PASSWORD is set)');
    else problems.missing('RCP_TOKEN', 'is missing (or set RCP_LOGIN and RCP_PASSWORD)');
  }
  if (!v.RCP_URL) return undefined;
  const auth: RcpConfig['auth'] | undefined = token
    ? { kind: 'token', token }
    : login && password
      ? { kind: 'login', login, password, domain: v.RCP_DOMAIN }
      : undefined;
  if (!auth) return undefined;
  return {
    baseUrl: `${v.RCP_URL.replace(/\/v1$/, '')}/v1`,
    auth,
    concurrency: v.RCP_CONCURRENCY,
    timeoutMs: v.RCP_TIMEOUT_MS,
    retry: { attempts: v.RCP_RETRY_ATTEMPTS, maxRetryAfterMs: v.RCP_MAX_RETRY_WAIT_SECONDS * 1000 },
    maxAnswerBytes: v.RCP_MAX_ANSWER_MB * 1_048_576,
  };
}

function odooOf(v: Values, env: Env, problems: Problems, needed: boolean): OdooConfig | undefined {
  if (!needed) return undefined;
  const { ODOO_URL: url, ODOO_DB: db, ODOO_USER: user, ODOO_API_KEY: apiKey, ODOO_PASSWORD: password } = v;
  if (!env.ODOO_URL?.trim()) problems.missing('ODOO_URL');
  if (!db) problems.missing('ODOO_DB');
  if (!user) problems.missing('ODOO_USER');
  if (!apiKey && !password) problems.missing('ODOO_API_KEY', 'is missing (or set ODOO_PASSWORD)');
  if (!url || !db || !user) return undefined;
  const secret = apiKey
    ? { kind: 'apiKey' as const, value: apiKey }
    : password
      ? { kind: 'password' as const, value: password }
      : undefined;
  if (!secret) return undefined;
  return {
    url,
    db,
    user,
    secret,
    companyId: v.ODOO_COMPANY_ID,
    batchSize: v.ODOO_BATCH_SIZE,
    concurrency: v.ODOO_CONCURRENCY,
    timeoutMs: v.ODOO_TIMEOUT_MS,
  };
}

/** The configuration, in the shape the connector works with (its type is `Config`). */
function configOf(v: Values, rcp: RcpConfig | undefined, odoo: OdooConfig | undefined) {
  return {
    rcp,
    odoo,
    redisUrl: v.REDIS_URL,
    /** Own partners' uuids, lower case. */
    ownPartnerIds: v.RCP_OWN_PARTNER_IDS.ids as readonly string[],
    /** ISO code of the currency RCP bills in, which the Odoo company must keep its books in. */
    companyCurrency: v.COMPANY_CURRENCY,
    /** The admin's consent that `setup` activates Russian (ru_RU) in Odoo when it is missing. */
    installRussian: v.ODOO_INSTALL_RUSSIAN,
    /** `RCP_OWN_PARTNER_IDS=none`: no own partners, on purpose (an empty list is refused for invoicing). */
    noOwnPartners: v.RCP_OWN_PARTNER_IDS.none,
    payments: { since: v.PAYMENTS_SINCE, mode: v.PAYMENTS_MODE },
    invoicing: {
      /** Odoo account.tax ids put on every invoice line; empty means explicitly no tax. */
      taxIds: v.INVOICE_TAX_IDS as readonly number[],
      invoiceDate: v.INVOICE_DATE,
      postpayTermDays: v.POSTPAY_TERM_DAYS,
      journalId: v.INVOICE_JOURNAL_ID,
      /** The plausibility bound of one invoice, in kopecks: above it the invoice is not made, and is named. */
      maxAmountKopecks: v.INVOICE_MAX_AMOUNT,
      /**
       * How long an invoice claim in Odoo lives without its holder's heartbeat; a run that finds
       * one older takes it over at once (its holder stopped).
       */
      claimLeaseSeconds: v.CLAIM_LEASE_SECONDS,
    },
    /** The worker's schedules: cron expressions, or undefined when switched off. */
    schedules: {
      timezone: v.SCHEDULE_TIMEZONE,
      sync: v.SCHEDULE_SYNC,
      payments: v.SCHEDULE_PAYMENTS,
      invoices: v.SCHEDULE_INVOICES,
    },
    /** The worker's HTTP side: loopback unless WORKER_HOST says otherwise (e.g. 0.0.0.0 in a container). */
    worker: {
      port: v.WORKER_PORT,
      host: v.WORKER_HOST,
      dashboardToken: v.DASHBOARD_TOKEN,
      /** How often the worker asks Odoo for runs requested in RCP → Runs. */
      pollSeconds: v.ODOO_POLL_SECONDS,
      /** A run running this long without progress is taken for dead (its worker stopped). */
      runStaleSeconds: v.RUN_STALE_SECONDS,
    },
    /** A new RCP partner or client gets a new Odoo company, or waits to be matched. */
    newCounterparties: v.SYNC_NEW_COUNTERPARTIES,
    /** The УПД files for ЭДО (`documents --format upd-xml`): the seller's participant id and VAT status. */
    edo: { sellerId: v.EDO_SELLER_ID, vatPayer: v.EDO_SELLER_VAT_PAYER },
    logLevel: v.LOG_LEVEL,
  };
}

export type Config = ReturnType<typeof configOf>;
export type Schedules = Config['schedules'];

/** The configuration with the parts a command needs typed as present (the loader refused it otherwise). */
export type ConfigFor<N extends Need> = Config &
  ('rcp' extends N ? { rcp: RcpConfig } : unknown) &
  ('odoo' extends N ? { odoo: OdooConfig } : unknown) &
  ('redis' extends N ? { redisUrl: string } : unknown) &
  ('payments' extends N ? { payments: { since: string } } : unknown);

/** Reads and validates the configuration a command needs; throws ConfigError listing every problem. */
export function loadConfig<N extends Need>(needs: readonly N[], env: Env = readEnv()): ConfigFor<N> {
  const problems = new Problems();
  const need = (n: Need) => (needs as readonly Need[]).includes(n);
  const values = readVariables(env, problems);
  const rcp = rcpOf(values, env, problems, need('rcp'));
  const odoo = odooOf(values, env, problems, need('odoo'));
  if (need('redis') && !env.REDIS_URL?.trim()) problems.missing('REDIS_URL');
  if (need('payments') && !env.PAYMENTS_SINCE?.trim())
    problems.missing('PAYMENTS_SINCE', 'is missing: payments are never pushed without a start date');
  if (problems.list.length > 0) throw new ConfigError(problems.list);
  return configOf(values, rcp, odoo) as ConfigFor<N>;
}
