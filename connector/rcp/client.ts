import pMap from 'p-map';
import { Agent, type Dispatcher, request } from 'undici';
import type { z } from 'zod';
import type { DayRange, Part } from '../../mappings/period.ts';
import { withoutControlsDeep } from '../../mappings/safe-text.ts';
import {
  dayRowsWithin,
  planUsageRead,
  rowsOfWholeQuanta,
  rowsOutsideAsked,
} from '../../mappings/usage-window.ts';
import type { RcpConfig } from '../config.ts';
import { PermanentError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { silentLogger } from '../log.ts';
import { type TokenSource, createTokenSource } from './auth.ts';
import {
  RcpAnswerError,
  RcpAnswerTooLargeError,
  RcpOutcomeUnknownError,
  type SkippedRecord,
  describeIssues,
} from './errors.ts';
import { Listing } from './listing.ts';
import {
  BankPayment,
  Client,
  Partner,
  Price,
  UsageRow,
  Uuid,
  idOf,
  lowerCaseClientIds,
  lowerCasePartnerIds,
  lowerCasePriceIds,
} from './schemas.ts';
import { type Backoff, type HttpAnswer, sendWithRetries } from './transport.ts';

export interface RcpClientOptions {
  backoff?: Partial<Backoff>;
  /** Longest `Retry-After` waited in-process; a longer one fails the call as retryable later. */
  maxRetryAfterMs?: number;
  log?: Logger;
  now?: () => number;
}

export interface BillingDetailsQuery {
  client: string;
  start_date: string;
  end_date: string;
  part: Part;
  billing_class?: string;
  contract?: string;
  partner?: string;
  project?: string;
}

export interface UsageQuery {
  client: string;
  range: DayRange;
  /** The quantum to ask RCP for; the answer is clipped to the range whatever it is. Default `month`. */
  part?: Part;
  billing_class?: string;
  contract?: string;
  partner?: string;
  project?: string;
}

export interface Validated<T> {
  items: T[];
  skipped: SkippedRecord[];
}

/** A payment to send: the amount in kopecks, `details` stable for the same Odoo payment. */
export interface ClientPayment {
  client: string;
  amountKopecks: number;
  details: string;
}

/**
 * The one way to RCP: auth, retries, paging and validation. Reads are retried; the two payment
 * calls are not (see `send`).
 */
export class RcpClient {
  readonly #agent: Agent;
  readonly #tokens: TokenSource;
  readonly #log: Logger;
  readonly #maxAnswerBytes: number;
  readonly #options: Required<Pick<RcpClientOptions, 'maxRetryAfterMs'>> & { backoff: Backoff };
  /** Round trips to RCP, for logs and the benchmark. */
  readonly stats = { requests: 0, retries: 0 };

  constructor(
    readonly config: RcpConfig,
    options: RcpClientOptions = {},
  ) {
    this.#agent = new Agent({
      keepAliveTimeout: 10_000,
      connections: Math.max(2, config.concurrency * 2),
      headersTimeout: config.timeoutMs,
      bodyTimeout: config.timeoutMs,
    });
    this.#log = options.log ?? silentLogger;
    this.#maxAnswerBytes = config.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
    this.#options = {
      maxRetryAfterMs: options.maxRetryAfterMs ?? config.retry?.maxRetryAfterMs ?? 60_000,
      backoff: {
        attempts: config.retry?.attempts ?? 5,
        baseDelayMs: 250,
        maxDelayMs: 10_000,
        ...options.backoff,
      },
    };
    const now = options.now ?? Date.now;
    this.#tokens = createTokenSource(
      config.auth,
      async (path, body) => {
        const answer = await this.#raw('POST', path, undefined, body);
        return { status: answer.status, body: parseJson(answer.text) };
      },
      now,
    );
  }

  /** Partners, page by page. */
  partners(): Listing<Partner> {
    return new Listing({
      what: 'partner',
      call: 'GET /partner',
      schema: Partner,
      fetchPage: (page) => this.#get('/partner', { page }),
      normalise: lowerCasePartnerIds,
    });
  }

  /** Clients, all or of one partner, page by page. */
  clients(filter: { partner?: string } = {}, slim?: (client: Client) => Client): Listing<Client> {
    return new Listing({
      what: 'client',
      call: 'GET /client',
      schema: Client,
      fetchPage: (page) => this.#get('/client', { ...filter, page }),
      normalise: slim ? (client) => slim(lowerCaseClientIds(client)) : lowerCaseClientIds,
      ownerOf: partnerIdOf,
    });
  }

  /** The prices of a billing plan (a plain array). */
  async prices(planId: string): Promise<Validated<Price>> {
    const body = await this.#get(`/billing_plan/${encodeURIComponent(planId)}/price`, {});
    const prices = validateArray(
      body,
      Price,
      `prices of billing plan ${planId}`,
      (item, index) => idOf(item) ?? `#${index}`,
      'GET /billing_plan/{id}/price',
    );
    prices.items.forEach(lowerCasePriceIds);
    return prices;
  }

  /** Usage rows as RCP answers them: whole quanta of `part`, possibly reaching outside the dates asked. */
  async billingDetails(query: BillingDetailsQuery): Promise<Validated<UsageRow>> {
    const body = await this.#get('/billing_details', { ...query });
    return validateArray(
      body,
      UsageRow,
      `usage row of client ${query.client}`,
      (item, index) => {
        const date = typeof item === 'object' && item !== null && 'date' in item ? String(item.date) : '?';
        return `#${index} (${date})`;
      },
      'GET /billing_details',
    );
  }

  /** Usage of a client whose days fall inside `range`, never a day twice or outside it. */
  async usage(query: UsageQuery): Promise<Validated<UsageRow>> {
    const { range, part = 'month', ...filters } = query;
    const plan = planUsageRead(range, part);
    const coarse = await this.billingDetails({
      ...filters,
      start_date: plan.coarse.start,
      end_date: plan.coarse.end,
      part,
    });
    const items =
      part === 'day' ? dayRowsWithin(coarse.items, range) : rowsOfWholeQuanta(coarse.items, range, part);
    const skipped = [...coarse.skipped, ...outside(coarse.items, plan.coarse, part, query.client)];
    for (const days of plan.byDay) {
      const daily = await this.billingDetails({
        ...filters,
        start_date: days.start,
        end_date: days.end,
        part: 'day',
      });
      items.push(...dayRowsWithin(daily.items, days));
      skipped.push(...daily.skipped, ...outside(daily.items, days, 'day', query.client));
    }
    return { items, skipped };
  }

  /** Runs `task` over many items with the configured number of RCP calls in flight. */
  fanOut<T, R>(items: readonly T[], task: (item: T) => Promise<R>): Promise<R[]> {
    return pMap(items, task, { concurrency: Math.max(1, this.config.concurrency) });
  }

  /**
   * Records a client's bank payment. Not idempotent: never resent here. A lost answer is an
   * `OutcomeUnknownError`; the caller decides (the payments process flags it for review).
   */
  async bankPayment(payment: ClientPayment): Promise<BankPayment> {
    const body = await this.sendBankPayment(payment);
    const parsed = BankPayment.safeParse(body);
    if (!parsed.success) {
      // The payment went through (200); only its receipt is odd. Say so rather than fail it.
      this.#log.warn(
        { client: payment.client, problem: describeIssues(parsed.error) },
        'unexpected payment receipt',
      );
      return { id: idOf(body) ?? 'unknown', amount: kopecksToAmount(payment.amountKopecks) } as BankPayment;
    }
    return withoutControlsDeep(parsed.data);
  }

  /**
   * `POST /payment/bank_payment`, answering RCP's body as it came (the caller judges whether it is
   * a receipt: connector/processes/payment-receipts.ts). Not idempotent: never resent here.
   */
  sendBankPayment(payment: ClientPayment): Promise<unknown> {
    return this.#send('POST', '/payment/bank_payment', {
      amount: kopecksToAmount(payment.amountKopecks),
      client: payment.client,
      details: payment.details,
    });
  }

  /** `PATCH /partner/{id}/balance` (a partner's top-up), answering RCP's body as it came. Not idempotent. */
  sendPartnerBalance(partnerId: string, amountKopecks: number): Promise<unknown> {
    return this.#send('PATCH', `/partner/${encodeURIComponent(partnerId)}/balance`, {
      amount: kopecksToAmount(amountKopecks),
    });
  }

  /** Corrects a partner's balance by the amount (a partner's payment). Not idempotent, like `bankPayment`. */
  async correctPartnerBalance(partnerId: string, amountKopecks: number): Promise<Partner | undefined> {
    const parsed = Partner.safeParse(await this.sendPartnerBalance(partnerId, amountKopecks));
    return parsed.success ? withoutControlsDeep(parsed.data) : undefined;
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  async #get(path: string, query: Record<string, string | number | undefined>): Promise<unknown> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value));
    const target = search.size ? `${path}?${search}` : path;
    const answer = await this.#call(`GET ${path}`, true, (token) => this.#raw('GET', target, token));
    return parseJson(answer.text, `GET ${path}`);
  }

  async #send(method: 'POST' | 'PATCH', path: string, body: unknown): Promise<unknown> {
    const answer = await this.#call(`${method} ${path}`, false, (token) =>
      this.#raw(method, path, token, body),
    );
    try {
      return JSON.parse(answer.text) as unknown;
    } catch {
      throw new RcpOutcomeUnknownError(
        `${method} ${path}`,
        `${method} ${path}: RCP answered ${answer.status} with a body that is not JSON`,
        answer.status,
      );
    }
  }

  #call(
    call: string,
    idempotent: boolean,
    send: (token: string) => Promise<HttpAnswer>,
  ): Promise<HttpAnswer> {
    return sendWithRetries({
      call,
      idempotent,
      backoff: this.#options.backoff,
      maxRetryAfterMs: this.#options.maxRetryAfterMs,
      tokens: this.#tokens,
      log: this.#log,
      stats: this.stats,
      send,
    });
  }

  async #raw(
    method: Dispatcher.HttpMethod,
    path: string,
    token?: string,
    body?: unknown,
  ): Promise<HttpAnswer> {
    this.stats.requests++;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const url = `${this.config.baseUrl}${path}`;
    const response = await request(url, {
      method,
      headers,
      dispatcher: this.#agent,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await readCapped(
      response.body,
      url,
      `${method} ${path.split('?')[0]}`,
      this.#maxAnswerBytes,
    );
    return { status: response.statusCode, headers: response.headers, text };
  }
}

/** RCP_MAX_ANSWER_MB's default: a page of clients or a month of one client's usage is far smaller. */
export const DEFAULT_MAX_ANSWER_BYTES = 32 * 1_048_576;

/**
 * An answer's body, refused as soon as it passes `limit` bytes (a 50 MB page once took 15 minutes
 * of CPU to parse and validate): the call fails in the time the bytes take to arrive, naming the URL.
 */
async function readCapped(
  body: Dispatcher.ResponseData['body'],
  url: string,
  call: string,
  limit: number,
): Promise<string> {
  const tooLarge = () => {
    body.destroy();
    return new RcpAnswerTooLargeError(call, url, limit);
  };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw tooLarge();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function outside(rows: UsageRow[], asked: DayRange, part: Part, client: string): SkippedRecord[] {
  return rowsOutsideAsked(rows, asked, part).map((row) => ({
    what: `usage row of client ${client}`,
    id: `${row.billing_class.id} (${row.date})`,
    problem: `date: ${row.date} is outside the ${part}s asked (${asked.start}…${asked.end})`,
  }));
}

/** Amounts go to RCP as JSON numbers; from integer kopecks the division prints exactly (5000.5). */
export function kopecksToAmount(kopecks: number): number {
  if (!Number.isSafeInteger(kopecks))
    throw new PermanentError(`amount in kopecks must be an integer: ${kopecks}`);
  return kopecks / 100;
}

function parseJson(text: string, call?: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    if (call) throw new RcpAnswerError(call, `${call}: RCP answered something that is not JSON`);
    return undefined;
  }
}

/**
 * The partner of a client record that broke the schema, if its `partner.id` can still be read as
 * a uuid. A `partner.id` that is not one (`"42"`) names no partner the connector knows: the
 * client could be any reseller's, so it is `null` (every reseller's invoice waits for it), never
 * a partner of its own whose invoice nobody makes.
 */
function partnerIdOf(item: unknown): string | null {
  if (typeof item !== 'object' || item === null) return null;
  const partner = 'partner' in item ? item.partner : undefined;
  if (partner === null || partner === undefined) return '';
  if (typeof partner !== 'object' || !('id' in partner) || typeof partner.id !== 'string') return null;
  return Uuid.safeParse(partner.id).success ? partner.id.toLowerCase() : null;
}

function validateArray<S extends z.ZodTypeAny>(
  body: unknown,
  schema: S,
  what: string,
  nameOf: (item: unknown, index: number) => string,
  call: string,
): Validated<z.infer<S>> {
  if (!Array.isArray(body)) throw new RcpAnswerError(call, `RCP answered ${what}: expected a list`);
  const items: z.infer<S>[] = [];
  const skipped: SkippedRecord[] = [];
  body.forEach((item, index) => {
    const parsed = schema.safeParse(item);
    if (parsed.success) items.push(withoutControlsDeep(parsed.data));
    else skipped.push({ what, id: nameOf(item, index), problem: describeIssues(parsed.error) });
  });
  return { items, skipped };
}
