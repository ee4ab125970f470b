import pLimit from 'p-limit';
import { Agent } from 'undici';
import { batchesOf } from '../batches.ts';
import type { OdooConfig } from '../config.ts';
import { ConfigError, OutcomeUnknownError, messageOf } from '../errors.ts';
import { type Logger, silentLogger } from '../log.ts';
import { type Backoff, type Failure, decideRetry, sleep } from '../retry.ts';
import { type Capabilities, SUPPORTED_MAJORS, callAsOdooTakesIt, capabilitiesFor } from './capabilities.ts';
import { OdooError } from './errors.ts';
import {
  type HttpDeps,
  NoAnswerError,
  type OdooCall,
  type Transport,
  json2Transport,
  jsonRpc,
  jsonRpcTransport,
} from './transport.ts';

export type Domain = ReadonlyArray<unknown>;
export type OdooRecord = Record<string, unknown> & { id: number };
export type Values = Record<string, unknown>;

export interface SearchOptions {
  limit?: number;
  offset?: number;
  order?: string;
  context?: Record<string, unknown>;
}

export interface LoadResult {
  /** Ids in row order, or undefined when Odoo refused the batch (then nothing was written). */
  ids: number[] | undefined;
  messages: Array<{ type: string; message: string; record?: number; field?: string }>;
}

/** One call as it went: what was asked, how it ended, and how long Odoo took to answer (with the network). */
export interface ObservedCall {
  call: OdooCall;
  ok: boolean;
  result?: unknown;
  ms: number;
}

export interface OdooClientOptions {
  log?: Logger;
  backoff?: Partial<Backoff>;
  /** Told of every attempt of every call, in the order answers arrive (the benchmark records them). */
  observe?: (observed: ObservedCall) => void;
}

/**
 * Methods that may be sent again when an answer is lost: reads, and writes that land the same
 * way twice (`write` sets values, `load` with external IDs updates what it created).
 */
/** The message subtype of an internal note in the chatter (not sent to followers). */
export const NOTE_SUBTYPE = 'mail.mt_note';

const SAFE_TO_REPEAT = new Set([
  'read_group',
  'search_read',
  'read',
  'search',
  'search_count',
  'fields_get',
  'name_search',
  'check_object_reference',
  'context_get',
  'write',
  'load',
]);

/**
 * The one way to Odoo 17, 18 and 19: finds the version, picks the protocol (JSON-2 on 19+ with an
 * API key, JSON-RPC otherwise), bounds the calls in flight, retries what is safe, and counts round
 * trips. Above it, code speaks models and methods, never protocols or versions.
 */
export class OdooClient {
  readonly stats = { roundTrips: 0, retries: 0 };
  #uid = 0;

  private constructor(
    readonly config: OdooConfig,
    readonly version: string,
    readonly capabilities: Capabilities,
    readonly protocol: Transport['protocol'],
    private readonly transport: Transport,
    private readonly agent: Agent,
    private readonly limit: <R>(task: () => Promise<R>) => Promise<R>,
    private readonly backoff: Backoff,
    private readonly log: Logger,
    private readonly observe?: OdooClientOptions['observe'],
  ) {}

  static async connect(given: OdooConfig, options: OdooClientOptions = {}): Promise<OdooClient> {
    const log = options.log ?? silentLogger;
    const config = { ...given, url: odooBaseUrl(given.url) };
    if (config.url !== given.url.replace(/\/+$/, '')) {
      log.warn(`ODOO_URL has a path of the web client: using ${config.url}; set ODOO_URL=${config.url}`);
    }
    const agent = new Agent({
      keepAliveTimeout: 30_000,
      connections: Math.max(1, config.concurrency),
      headersTimeout: config.timeoutMs,
      bodyTimeout: config.timeoutMs,
    });
    const stats = { roundTrips: 0 };
    const deps: HttpDeps = { agent, config, log, onRoundTrip: () => stats.roundTrips++ };
    let info: { server_version?: unknown; server_version_info?: unknown[] };
    try {
      info = (await jsonRpc(deps, '/web/webclient/version_info', {}, 'version_info')) as typeof info;
    } catch (error) {
      await agent.close();
      if (error instanceof NoAnswerError) {
        throw new OdooError(
          'network',
          'version_info',
          `cannot reach Odoo at ODOO_URL=${config.url} (${error.code ?? 'no answer'})`,
        );
      }
      if (error instanceof OdooError && error.kind !== 'network') {
        // A redirect, a 404 or an HTML page: ODOO_URL points at a page, a proxy or something else.
        throw new OdooError(
          'not-found',
          'version_info',
          `ODOO_URL=${config.url} does not answer as Odoo (${error.serverMessage}): set it to the address the browser opens Odoo at, without a path, e.g. http://localhost:8069`,
          error.exception,
        );
      }
      throw error;
    }
    const version = String(info.server_version ?? '');
    const major = Number(/\d+/.exec(String(info.server_version_info?.[0] ?? version))?.[0]);
    if (!Number.isFinite(major) || major < SUPPORTED_MAJORS[0]) {
      await agent.close();
      throw new OdooError(
        'not-found',
        'version_info',
        `Odoo ${version || '(unknown version)'} is not supported: use 17.0, 18.0 or 19.0`,
      );
    }
    const capabilities = capabilitiesFor(major);
    const transport =
      capabilities.hasJson2 && config.secret.kind === 'apiKey'
        ? json2Transport(deps)
        : jsonRpcTransport(deps);
    const client = new OdooClient(
      config,
      version,
      capabilities,
      transport.protocol,
      transport,
      agent,
      pLimit(Math.max(1, config.concurrency)),
      { attempts: 4, baseDelayMs: 200, maxDelayMs: 5_000, ...options.backoff },
      log,
      options.observe,
    );
    // Round trips are counted on the client from here on; the version call counts too.
    deps.onRoundTrip = () => client.stats.roundTrips++;
    client.stats.roundTrips = stats.roundTrips;
    try {
      client.#uid = await transport.authenticate();
    } catch (error) {
      const explained = await explainLoginFailure(deps, error, transport.protocol);
      await agent.close();
      throw explained;
    }
    try {
      client.#companyContext = await companyContextOf(client, config.companyId);
    } catch (error) {
      await agent.close();
      throw error;
    }
    return client;
  }

  /**
   * `allowed_company_ids` of every call, when the user has several companies: without it Odoo
   * lets a call see every company of the user (company B's payments in company A's run); with it,
   * Odoo's own multi-company rules (and the workspace's) keep each call to the run's company.
   */
  #companyContext: Record<string, unknown> | undefined;

  /** The one company every call works in (ODOO_COMPANY_ID, else the user's), when the user has several. */
  get pinnedCompany(): number | undefined {
    const ids = this.#companyContext?.allowed_company_ids;
    return Array.isArray(ids) ? (ids[0] as number) : undefined;
  }

  get uid(): number {
    return this.#uid;
  }

  /** Any model method. Retries what Odoo rolled back (serialization failures) and lost answers of safe calls. */
  async call<T = unknown>(asked: OdooCall): Promise<T> {
    const call = callAsOdooTakesIt(this.capabilities, asked);
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.limit(() => this.execute(call))) as T;
      } catch (error) {
        const name = `${call.model}.${call.method}`;
        const decision = decideRetry(
          failureOf(error),
          { repeatable: SAFE_TO_REPEAT.has(call.method) },
          attempt,
          { backoff: this.backoff },
        );
        if (decision.action === 'outcome-unknown') {
          throw new OutcomeUnknownError(
            `Odoo ${name}: ${messageOf(error)}; it may or may not have been done`,
            {
              cause: error,
            },
          );
        }
        if (decision.action !== 'retry') {
          if (error instanceof NoAnswerError) {
            throw new OdooError(
              'network',
              name,
              `${error.message}; gave up after ${attempt + 1} tries`,
              undefined,
              {
                cause: error,
              },
            );
          }
          throw error;
        }
        this.stats.retries++;
        this.log.debug(
          { call: name, attempt: attempt + 1, delayMs: decision.delayMs },
          'Odoo call failed; retrying',
        );
        await sleep(decision.delayMs);
      }
    }
  }

  private async execute(given: OdooCall): Promise<unknown> {
    const call = this.#companyContext
      ? { ...given, context: { ...this.#companyContext, ...given.context } }
      : given;
    if (!this.observe) return this.transport.execute(call);
    const started = performance.now();
    try {
      const result = await this.transport.execute(call);
      this.observe({ call, ok: true, result, ms: performance.now() - started });
      return result;
    } catch (error) {
      this.observe({ call, ok: false, ms: performance.now() - started });
      throw error;
    }
  }

  searchRead<T extends OdooRecord = OdooRecord>(
    model: string,
    domain: Domain,
    fields: readonly string[],
    options: SearchOptions = {},
  ): Promise<T[]> {
    const { context, ...kwargs } = options;
    return this.call<T[]>({
      model,
      method: 'search_read',
      kwargs: { domain, fields, ...kwargs },
      ...(context ? { context } : {}),
    });
  }

  /**
   * All matching records, page by page, by ascending id ("id greater than the last one seen"), so
   * that records created or deleted while reading neither repeat nor push others out of a page.
   */
  async *searchReadPages<T extends OdooRecord = OdooRecord>(
    model: string,
    domain: Domain,
    fields: readonly string[],
    pageSize = this.config.batchSize,
  ): AsyncGenerator<T[]> {
    let lastId = 0;
    for (;;) {
      const page = await this.searchRead<T>(model, [...domain, ['id', '>', lastId]], fields, {
        limit: pageSize,
        order: 'id asc',
      });
      if (page.length > 0) yield page;
      if (page.length < pageSize) return;
      lastId = (page[page.length - 1] as T).id;
    }
  }

  read<T extends OdooRecord = OdooRecord>(
    model: string,
    ids: readonly number[],
    fields: readonly string[],
  ): Promise<T[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.call<T[]>({ model, method: 'read', ids, kwargs: { fields } });
  }

  search(model: string, domain: Domain, options: SearchOptions = {}): Promise<number[]> {
    const { context, ...kwargs } = options;
    return this.call<number[]>({
      model,
      method: 'search',
      kwargs: { domain, ...kwargs },
      ...(context ? { context } : {}),
    });
  }

  searchCount(model: string, domain: Domain): Promise<number> {
    return this.call<number>({ model, method: 'search_count', kwargs: { domain } });
  }

  /** Creates many records, `batchSize` per round trip; answers their ids in order. */
  async create(
    model: string,
    valsList: readonly Values[],
    context?: Record<string, unknown>,
  ): Promise<number[]> {
    const ids: number[] = [];
    for (const batch of batchesOf(valsList, this.config.batchSize)) {
      const answer = await this.call<number[] | number>({
        model,
        method: 'create',
        params: [['vals_list', batch]],
        ...(context ? { context } : {}),
      });
      ids.push(...(Array.isArray(answer) ? answer : [answer]));
    }
    return ids;
  }

  async write(model: string, ids: readonly number[], vals: Values): Promise<void> {
    if (ids.length === 0) return;
    await this.call({ model, method: 'write', ids, params: [['vals', vals]] });
  }

  async unlink(model: string, ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.call({ model, method: 'unlink', ids });
  }

  /**
   * Removes those of `ids` that are still there: one another writer removed meanwhile (two runs
   * replacing the same attachment at once) is not an error. Odoo refuses the whole call when one
   * record is gone, so the survivors are read again and removed, a few times at most.
   */
  async unlinkExisting(model: string, ids: readonly number[]): Promise<void> {
    let left = [...ids];
    for (let attempt = 1; left.length > 0; attempt += 1) {
      try {
        await this.unlink(model, left);
        return;
      } catch (error) {
        if (!(error instanceof OdooError) || error.kind !== 'missing' || attempt >= 3) throw error;
        left = await this.search(model, [['id', 'in', left]]);
      }
    }
  }

  /**
   * `model.load(fields, rows)`: creates or updates records and their external IDs (an `id` column)
   * in one call and one transaction. Odoo reports bad rows in `messages` instead of raising.
   */
  async load(
    model: string,
    fields: readonly string[],
    rows: ReadonlyArray<readonly unknown[]>,
    context?: Record<string, unknown>,
  ): Promise<LoadResult> {
    const answer = await this.call<{ ids: number[] | false; messages?: LoadResult['messages'] }>({
      model,
      method: 'load',
      params: [
        ['fields', fields],
        ['data', rows],
      ],
      ...(context ? { context } : {}),
    });
    return { ids: answer.ids === false ? undefined : answer.ids, messages: answer.messages ?? [] };
  }

  /** Runs a method on records (`action_post`, `button_draft`, `action_create_payments`, …). */
  callOn<T = unknown>(
    model: string,
    method: string,
    ids: readonly number[],
    kwargs?: Values,
    context?: Record<string, unknown>,
  ): Promise<T> {
    return this.call<T>({
      model,
      method,
      ids,
      ...(kwargs ? { kwargs } : {}),
      ...(context ? { context } : {}),
    });
  }

  /** Posts an internal note (`NOTE_SUBTYPE`) in a record's chatter; answers the message id on every version. */
  async postNote(model: string, id: number, body: string): Promise<number> {
    const answer = await this.callOn<number | number[]>(model, 'message_post', [id], {
      body,
      message_type: 'comment',
      subtype_xmlid: NOTE_SUBTYPE,
    });
    return Array.isArray(answer) ? (answer[0] ?? 0) : answer;
  }

  fieldsGet(
    model: string,
    attributes: readonly string[] = ['type', 'required', 'readonly', 'relation', 'selection'],
  ): Promise<Record<string, Record<string, unknown>>> {
    return this.call({ model, method: 'fields_get', kwargs: { attributes } });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/**
 * What an Odoo failure means for repeating the call: Odoo rolled back (a serialization failure) or
 * the call never left: nothing was done; no answer: maybe done; anything else Odoo said is final.
 */
function failureOf(error: unknown): Failure {
  if (error instanceof NoAnswerError) return { kind: 'no-answer', notSent: error.notSent };
  if (error instanceof OdooError && error.retryable) return { kind: 'refused' };
  return { kind: 'permanent' };
}

/**
 * The address Odoo answers its API at, from what an admin may paste: the browser's address of a
 * page (`…/odoo/invoicing`, `…/web#action=…`, `…/web/login`) becomes its origin; a path before them
 * (Odoo behind a proxy under `/erp`) is kept.
 */
export function odooBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/+$/, '');
  }
  const path = parsed.pathname.replace(/\/(odoo|web|jsonrpc|json\/2|xmlrpc)(\/.*)?$/, '').replace(/\/+$/, '');
  return `${parsed.origin}${path}`;
}

/** An error an admin fixes in the configuration (ODOO_URL, ODOO_DB, ODOO_USER, the secret): exit code 2. */
export function isOdooSettingError(error: unknown): boolean {
  return (
    error instanceof OdooError &&
    (error.kind === 'auth' ||
      error.kind === 'database' ||
      (error.call === 'version_info' && error.kind === 'not-found'))
  );
}

/** Names sharing the longest beginning with the one given come first: a typo finds its database. */
function closestFirst(names: readonly string[], given: string): string[] {
  const shared = (name: string) => {
    let n = 0;
    while (n < name.length && n < given.length && name[n] === given[n]) n++;
    return n;
  };
  return [...names].sort((a, b) => shared(b) - shared(a) || a.localeCompare(b));
}

/** Odoo's list of databases, or undefined when it does not give it (`list_db = False`). */
async function listDatabases(deps: HttpDeps): Promise<string[] | undefined> {
  try {
    const list = await jsonRpc(deps, '/web/database/list', {}, 'database.list');
    return Array.isArray(list) ? list.map(String) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A login that failed on the database (a name PostgreSQL does not know, or JSON-2's 404 without a
 * database) says which databases exist instead of PostgreSQL's words; a refused secret says where
 * to get a right one.
 */
async function explainLoginFailure(
  deps: HttpDeps,
  error: unknown,
  protocol: Transport['protocol'],
): Promise<unknown> {
  if (!(error instanceof OdooError)) return error;
  const { db, url } = deps.config;
  if (error.kind === 'auth') {
    const how =
      deps.config.secret.kind === 'apiKey'
        ? 'a new key is made in Odoo under Preferences → Account Security → New API Key'
        : 'or give an API key in ODOO_API_KEY (Preferences → Account Security → New API Key)';
    return new OdooError('auth', error.call, `${error.serverMessage}; ${how}`, error.exception);
  }
  const maybeDb = error.kind === 'database' || (protocol === 'json-2' && error.kind === 'not-found');
  if (!maybeDb) return error;
  const databases = await listDatabases(deps);
  if (databases?.includes(db)) {
    return error.kind === 'database'
      ? new OdooError(
          'database',
          error.call,
          `Odoo could not open database ${db} (${error.serverMessage}): is its PostgreSQL up?`,
          error.exception,
        )
      : error;
  }
  const which =
    databases === undefined
      ? `this Odoo does not list its databases: the name is on its login page (${url}/web/login), or ask its administrator`
      : databases.length === 0
        ? 'this Odoo has no database yet: create one at ' + `${url}/web/database/manager`
        : `set ODOO_DB to one of: ${closestFirst(databases, db).slice(0, 20).join(', ')}${databases.length > 20 ? ` (and ${databases.length - 20} more: ${url}/web/database/selector)` : ''}`;
  return new OdooError(
    'database',
    error.call,
    `database "${db}" does not exist on ${url}: ${which}`,
    error.exception,
  );
}

/**
 * The company context of a user with several companies: ODOO_COMPANY_ID (which must be one of
 * them), else the user's current company. None for a user of one company (nothing to limit), or
 * where the user's companies cannot be read (an Odoo double).
 */
async function companyContextOf(
  client: OdooClient,
  companyId: number | undefined,
): Promise<Record<string, unknown> | undefined> {
  let user: OdooRecord | undefined;
  try {
    [user] = await client.read<OdooRecord>('res.users', [client.uid], ['company_id', 'company_ids']);
  } catch (error) {
    if (error instanceof OdooError && !error.retryable) return undefined;
    throw error;
  }
  const companies = Array.isArray(user?.company_ids) ? (user?.company_ids as number[]) : [];
  const current = Array.isArray(user?.company_id) ? (user?.company_id[0] as number) : undefined;
  if (companyId !== undefined && companies.length > 0 && !companies.includes(companyId)) {
    throw new ConfigError([
      `ODOO_COMPANY_ID=${companyId} is not one of ODOO_USER's companies (${companies.join(', ')}): set it to one of them, or give the user that company (Settings → Users → Allowed companies)`,
    ]);
  }
  const pinned = companyId ?? current;
  return companies.length > 1 && pinned !== undefined ? { allowed_company_ids: [pinned] } : undefined;
}
