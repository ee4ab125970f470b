import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DAY_PATTERN, type DayRange, type Part } from '../../mappings/period.ts';
import { CATALOG, type SimClient, type SimPartner, type SimPlan, World } from './data.ts';
import { type FaultDecision, FaultPlan, type Faults, type ReceiptFault } from './faults.ts';

/**
 * The bundled RCP simulator: a real HTTP server that speaks the spec (`/v1/...`), with auth,
 * pagination, calendar-fixed usage quanta, payments that move balances, and fault injection.
 * Control endpoints under `/_sim/` let tests and people see and steer it.
 */

export interface SimulatorOptions {
  port?: number;
  host?: string;
  seed?: number;
  clients?: number;
  partners?: number;
  /** Share of clients in the provider's own channel (default: equal with each reseller). */
  ownShare?: number;
  /** Items per list page (RCP's `limit`); 10 as RCP answers by default. */
  pageSize?: number;
  /** The static bearer token accepted; a login can also get tokens. */
  token?: string;
  users?: Array<{ login: string; password: string; domain?: string }>;
  /** The simulator's today (YYYY-MM-DD): usage runs up to the day before. Default: the real date. */
  today?: string;
  faults?: Partial<Faults>;
}

export interface ReceivedPayment {
  id: string;
  client: string;
  amount: number;
  details: string;
  ctime: string;
}

export interface BalanceCorrection {
  partner: string;
  amount: number;
  ctime: string;
}

export interface Simulator {
  /** `http://host:port` (the client adds nothing; the API is under `/v1`). */
  url: string;
  token: string;
  world: World;
  faults: FaultPlan;
  payments: ReceivedPayment[];
  corrections: BalanceCorrection[];
  /** API requests served (control endpoints excluded). */
  requests: number;
  /** Tokens issued by `POST /auth/token`. */
  tokensIssued: number;
  /** The most API requests that were in flight at once. */
  maxInFlight: number;
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const world = new World({
    seed: options.seed ?? 1,
    clients: options.clients ?? 40,
    ...(options.partners === undefined ? {} : { partners: options.partners }),
    ...(options.ownShare === undefined ? {} : { ownShare: options.ownShare }),
    today: options.today ?? new Date().toISOString().slice(0, 10),
  });
  const state: Simulator = {
    url: '',
    token: options.token ?? 'sim-token',
    world,
    faults: new FaultPlan(options.faults, options.seed ?? 1),
    payments: [],
    corrections: [],
    requests: 0,
    tokensIssued: 0,
    maxInFlight: 0,
    close: async () => {},
  };
  const users = options.users ?? [{ login: 'accountant', password: 'accountant', domain: 'default' }];
  const issued = new Map<string, number>();
  const pageSize = options.pageSize ?? 10;
  let inFlight = 0;

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { error_alias: 'internal', details: String(error) });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    if (url.pathname.startsWith('/_sim/')) return control(method, url.pathname, body, res);
    if (!url.pathname.startsWith('/v1/'))
      return send(res, 404, { error_alias: 'not_found', details: 'Not found.' });
    const path = url.pathname.slice(3);
    state.requests++;
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    res.once('close', () => inFlight--);

    const fault = state.faults.decide(method, path);
    if (fault.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault.drop === 'before') return void req.socket.destroy();
    if (fault.status !== undefined) return failWith(res, fault);

    if (method === 'POST' && path === '/auth/token') return issueToken(body, res);
    if (!authorized(req)) {
      return send(res, 401, { error_alias: 'not_authenticated', details: 'Invalid or expired token.' });
    }
    const answer = route(method, path, url.searchParams, body, fault);
    if (fault.drop === 'after') return void req.socket.destroy();
    send(res, answer.status, answer.body);
  }

  function route(
    method: string,
    path: string,
    query: URLSearchParams,
    body: unknown,
    fault: FaultDecision,
  ): Answer {
    if (method === 'GET' && path === '/partner') {
      return withListFaults(
        '/partner',
        query,
        page(
          query,
          world.partners.map((p) => renderPartner(p)),
          fault,
        ),
      );
    }
    if (method === 'GET' && path === '/client') {
      if (state.faults.faults.growDuringPaging > 0) {
        state.faults.faults.growDuringPaging--;
        world.addClient();
      }
      const partner = query.get('partner');
      const order = partner ? world.order.filter((i) => world.client(i).partner.id === partner) : world.order;
      return withListFaults(
        '/client',
        query,
        pageOf(
          query,
          order.length,
          (from, to) => order.slice(from, to).map((i) => renderClient(world.client(i))),
          fault,
        ),
      );
    }
    const price = /^\/billing_plan\/([^/]+)\/price$/.exec(path);
    if (method === 'GET' && price) {
      const plan = world.plans.get(decodeURIComponent(price[1] ?? ''));
      if (!plan) return notFound('billing plan');
      const prices = renderPrices(plan);
      if (state.faults.has(plan.id, 'price-malformed') && prices[0])
        prices[0] = breakRecord(prices[0], 'price');
      return { status: 200, body: corrupt(prices, fault.malformed, 'price') };
    }
    if (method === 'GET' && path === '/billing_details') return billingDetails(query, fault);
    if (method === 'POST' && path === '/payment/bank_payment') return bankPayment(body, fault.receipt);
    const balance = /^\/partner\/([^/]+)\/balance$/.exec(path);
    if (method === 'PATCH' && balance)
      return correctBalance(decodeURIComponent(balance[1] ?? ''), body, fault.receipt);
    return { status: 404, body: { error_alias: 'not_found', details: `No route ${method} /v1${path}.` } };
  }

  function page(query: URLSearchParams, items: unknown[], fault: FaultDecision): Answer {
    return pageOf(query, items.length, (from, to) => items.slice(from, to), fault);
  }

  function pageOf(
    query: URLSearchParams,
    total: number,
    slice: (from: number, to: number) => unknown[],
    fault: FaultDecision,
  ): Answer {
    const number = Number(query.get('page') ?? '1');
    if (!Number.isInteger(number) || number < 1) return invalid({ page: ['A valid integer is required.'] });
    const from = (number - 1) * pageSize;
    if (from > 0 && from >= total)
      return { status: 404, body: { error_alias: 'not_found', details: 'Invalid page.' } };
    const items = corrupt(slice(from, from + pageSize), fault.malformed, 'list');
    return { status: 200, body: { items, total, limit: pageSize } };
  }

  /** A page spoiled the way the list's lasting faults say. */
  function withListFaults(path: string, query: URLSearchParams, answer: Answer): Answer {
    const faults = state.faults.listFaults(path);
    if (faults.length === 0 || answer.status !== 200) return answer;
    const number = Number(query.get('page') ?? '1');
    const body = { ...(answer.body as { items: unknown[]; total: number; limit: number }) } as Record<
      string,
      unknown
    > & { total: number };
    for (const { fault, bytes } of faults) {
      if (fault === 'total-shrinks') body.total = Math.max(0, body.total - (number - 1));
      if (fault === 'page-without-items' && number === 2) body.items = [];
      if (fault === 'oversized-page' && number === 1) body.padding = 'x'.repeat(bytes ?? 50 * 1_048_576);
    }
    return { status: 200, body };
  }

  function billingDetails(query: URLSearchParams, fault: FaultDecision): Answer {
    const missing = ['client', 'start_date', 'end_date', 'part'].filter((key) => !query.get(key));
    if (missing.length)
      return invalid(Object.fromEntries(missing.map((key) => [key, ['This field is required.']])));
    const part = query.get('part') as Part;
    if (!['day', 'week', 'month', 'year'].includes(part))
      return invalid({ part: [`"${part}" is not a valid choice.`] });
    const range: DayRange = { start: query.get('start_date') ?? '', end: query.get('end_date') ?? '' };
    if (![range.start, range.end].every((d) => DAY_PATTERN.test(d)) || range.start > range.end) {
      return invalid({ start_date: ['Dates must be YYYY-MM-DD and start_date <= end_date.'] });
    }
    const client = world.clientById(query.get('client') ?? '');
    if (!client) return notFound('client');
    if (state.faults.has(client.id, 'usage-unreadable'))
      return { status: 503, body: { error_alias: 'service_unavailable', details: 'Injected fault.' } };
    const contract = query.get('contract');
    const partner = query.get('partner');
    if ((contract && contract !== client.contractId) || (partner && partner !== client.partner.id)) {
      return { status: 200, body: [] };
    }
    const billingClass = query.get('billing_class');
    const project = query.get('project');
    const rows = world
      .usage(client, range, part)
      .filter(
        (row) =>
          (!billingClass || row.billing_class.id === billingClass) && (!project || row.project === project),
      );
    return { status: 200, body: corrupt(withRecordFaults(client.id, rows), fault.malformed, 'usage') };
  }

  function bankPayment(body: unknown, wrong?: ReceiptFault): Answer {
    const input = body as { amount?: unknown; client?: unknown; details?: unknown } | undefined;
    const problems: Record<string, string[]> = {};
    if (typeof input?.amount !== 'number' || !(input.amount > 0))
      problems.amount = ['A positive number is required.'];
    if (typeof input?.client !== 'string') problems.client = ['This field is required.'];
    if (typeof input?.details !== 'string') problems.details = ['This field is required.'];
    if (Object.keys(problems).length) return invalid(problems);
    const client = world.clientById(input?.client as string);
    if (!client) return notFound('client');
    const amount = input?.amount as number;
    const payment: ReceivedPayment = {
      id: randomUUID(),
      client: client.id,
      amount,
      details: input?.details as string,
      ctime: new Date().toISOString().slice(0, 26),
    };
    // A declined payment credits nothing and is not received.
    if (wrong !== 'failed') {
      world.creditClient(client, Math.round(amount * 100));
      state.payments.push(payment);
    }
    const receipt = {
      status: 200,
      body: {
        id: payment.id,
        contract: {
          id: client.contractId,
          name: contractName(client.name),
          balance: world.clientBalanceKopecks(client) / 100,
        },
        client: { id: wrong === 'other-client' ? randomUUID() : client.id, name: client.name },
        payment_method: { id: 'bank', name: 'Безналичная оплата' },
        transaction_id: payment.details,
        status: wrong === 'failed' ? 'failed' : 'succeeded',
        error_reason: wrong === 'failed' ? 'Платёж отклонён банком (injected fault)' : '',
        amount: wrong === 'amount-x10' ? amount * 10 : amount,
        ctime: payment.ctime,
        user: { id: uuidOfUser, login: 'buhgalter', username: 'Бухгалтер', is_ghost: false },
        details: payment.details,
      } as Record<string, unknown>,
    };
    return wrong === 'no-id' ? { status: 200, body: withoutId(receipt.body) } : receipt;
  }

  function correctBalance(partnerId: string, body: unknown, wrong?: ReceiptFault): Answer {
    const partner = world.partnerById(partnerId);
    if (!partner) return notFound('partner');
    const amount = (body as { amount?: unknown } | undefined)?.amount;
    if (typeof amount !== 'number' || !Number.isFinite(amount))
      return invalid({ amount: ['A valid number is required.'] });
    if (wrong === 'failed')
      return {
        status: 200,
        body: { ...renderPartner(partner), status: 'failed', error_reason: 'Injected fault' },
      };
    partner.balanceKopecks += Math.round(amount * 100);
    state.corrections.push({ partner: partner.id, amount, ctime: new Date().toISOString() });
    const answer: Record<string, unknown> = renderPartner(partner);
    if (wrong === 'other-client') answer.id = randomUUID();
    return { status: 200, body: wrong === 'no-id' ? withoutId(answer) : answer };
  }

  function issueToken(body: unknown, res: ServerResponse) {
    const input = body as
      | { login?: unknown; password?: unknown; domain?: unknown; ttl?: unknown }
      | undefined;
    const user = users.find(
      (u) =>
        u.login === input?.login &&
        u.password === input?.password &&
        (u.domain ?? 'default') === (input?.domain ?? 'default'),
    );
    if (!user)
      return send(res, 400, {
        error_alias: 'invalid_credentials',
        non_field_errors: ['Unable to log in with provided credentials.'],
      });
    const ttl = state.faults.faults.tokenTtlSeconds ?? (typeof input?.ttl === 'number' ? input.ttl : 86_400);
    const key = randomUUID().replaceAll('-', '');
    const expiresAt = Date.now() + ttl * 1000;
    issued.set(key, expiresAt);
    state.tokensIssued++;
    send(res, 200, {
      id: randomUUID(),
      key,
      ctime: new Date().toISOString().slice(0, 26),
      issued_device_info: 'rcp-odoo',
      issued_ip_address: '127.0.0.1',
      expires: new Date(expiresAt).toISOString().slice(0, 26),
    });
  }

  function authorized(req: IncomingMessage): boolean {
    const match = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
    const token = match?.[1];
    if (!token) return false;
    if (token === state.token) return true;
    const expiresAt = issued.get(token);
    return expiresAt !== undefined && expiresAt > Date.now();
  }

  function control(method: string, path: string, body: unknown, res: ServerResponse) {
    if (path === '/_sim/faults' && method === 'GET') return send(res, 200, state.faults.faults);
    if (path === '/_sim/faults' && (method === 'PUT' || method === 'POST')) {
      try {
        return send(res, 200, state.faults.update(body));
      } catch (error) {
        return send(res, 400, { error_alias: 'invalid', details: String(error) });
      }
    }
    if (path === '/_sim/payments')
      return send(res, 200, { payments: state.payments, corrections: state.corrections });
    if (path === '/_sim/expire-tokens' && method === 'POST') {
      issued.clear();
      return send(res, 200, { expired: true });
    }
    return send(res, 404, { error_alias: 'not_found', details: 'Unknown control endpoint.' });
  }

  function renderPartner(partner: SimPartner) {
    return {
      id: partner.id,
      name: partner.name,
      domain: { id: partner.id, name: `domain_partner${partner.index}`, aliases: [] },
      contract: {
        id: partner.contractId,
        balance: partner.balanceKopecks / 100,
        counterparty_left: null,
        counterparty_right: { id: partner.id, name: partner.name, entity: 'partner' },
        inactive: false,
        is_new: false,
        name: contractName(partner.name),
        billing_plan: planRef(partner.plan),
      },
    };
  }

  /** The client's first usage row spoiled the way its record faults say. */
  function withRecordFaults<R extends { cost: number; date: string }>(clientId: string, rows: R[]): R[] {
    const first = rows[0];
    if (!first) return rows;
    const spoiled: Record<string, unknown> = { ...first };
    const has = (fault: Parameters<FaultPlan['has']>[1]) => state.faults.has(clientId, fault);
    if (has('usage-malformed')) spoiled.quantity = null;
    if (has('usage-bad-date')) spoiled.date = `${first.date.slice(0, 8)}32`;
    if (has('usage-negative-cost')) spoiled.cost = -(first.cost || 100);
    if (has('usage-huge-cost')) spoiled.cost = 165_000_000_000;
    if (has('usage-implausible-seconds'))
      spoiled.paid_seconds = (first as unknown as { paid_seconds: number }).paid_seconds * 30;
    return [spoiled as R, ...rows.slice(1)];
  }

  function renderClient(client: SimClient) {
    const rendered = renderClientAsIs(client);
    if (state.faults.has(client.id, 'contract-unreadable'))
      (rendered.contract as Record<string, unknown>).billing_plan = null;
    if (state.faults.has(client.id, 'id-upper-case')) rendered.id = client.id.toUpperCase();
    if (state.faults.has(client.id, 'id-not-uuid')) rendered.id = '42';
    if (state.faults.has(client.id, 'partner-id-not-uuid'))
      rendered.partner = { ...rendered.partner, id: '42' };
    return rendered;
  }

  function renderClientAsIs(client: SimClient) {
    return {
      id: client.id,
      ctime: client.ctime,
      projects: [],
      contact_emails: [
        {
          id: `${client.id.slice(0, 24)}${'0'.repeat(12)}`,
          username: 'Администратор',
          email: `admin${client.index}@example.ru`,
          phone: '',
        },
      ],
      partner: { id: client.partner.id, name: client.partner.name },
      internet: 1000,
      lan: 1000,
      payment_model: client.paymentModel,
      payment_methods: [{ id: 'bank', name: 'Безналичная оплата', min_amount: 0 }],
      resource_planning: false,
      contract: {
        id: client.contractId,
        balance: world.clientBalanceKopecks(client) / 100,
        counterparty_left: { id: client.partner.id, name: client.partner.name, entity: 'partner' },
        counterparty_right: { id: client.id, name: client.name, entity: 'client' },
        inactive: false,
        is_new: false,
        name: contractName(client.name),
        billing_plan: planRef(client.plan),
      },
      name: client.name,
      billing_enabled: true,
      billing_visible: true,
      job_id: null,
      locked: false,
    };
  }

  function planRef(plan: SimPlan) {
    return { id: plan.id, name: plan.name, contracts: 1 };
  }

  function corrupt<T>(items: T[], count: number, kind: 'list' | 'price' | 'usage'): T[] {
    let left = count;
    return items.map((item) => {
      if (left <= 0 && !state.faults.corruptOne()) return item;
      left--;
      return breakRecord(item, kind);
    });
  }

  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  state.url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

type Answer = { status: number; body: unknown };

const uuidOfUser = '02ba1cb3-4c87-4948-bf3c-f56a7b15487e';

function renderPrices(plan: SimPlan) {
  return [...plan.prices.entries()].map(([classId, price]) => {
    const entry = CATALOG_BY_ID.get(classId);
    return {
      id: price.priceId,
      cost: Number(price.cost),
      billing_plan: plan.id,
      billing_class: {
        id: classId,
        name: entry?.name ?? classId,
        sku_mask: entry?.sku_mask ?? '',
        measure: entry?.measure ?? 'шт.',
      },
      name: entry?.name ?? classId,
      period: price.period,
      snap_to_period: price.snap,
    };
  });
}

const CATALOG_BY_ID = new Map(CATALOG.map((entry) => [entry.id, entry]));

/** Breaks one record the way a buggy RCP could: a required field missing or of the wrong type. */
function breakRecord<T>(item: T, kind: 'list' | 'price' | 'usage'): T {
  const copy = structuredClone(item) as Record<string, unknown>;
  if (kind === 'price') copy.cost = String(copy.cost);
  else if (kind === 'usage') copy.quantity = null;
  else if (typeof copy.contract === 'object' && copy.contract !== null) {
    (copy.contract as Record<string, unknown>).billing_plan = null;
  } else copy.name = undefined;
  return copy as T;
}

function contractName(name: string): string {
  return `Контракт для ${name}`;
}

function notFound(what: string): Answer {
  return { status: 404, body: { error_alias: 'not_found', details: `No such ${what}.` } };
}

function invalid(problems: Record<string, string[]>): Answer {
  return { status: 400, body: { error_alias: 'validation_error', details: problems } };
}

/** An answer as RCP would give it without its `id` (a receipt fault). */
const withoutId = (body: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(body).filter(([key]) => key !== 'id'));

function failWith(res: ServerResponse, fault: FaultDecision) {
  const headers: Record<string, string> = {};
  if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
  const alias =
    fault.status === 429 ? 'throttled' : fault.status === 409 ? 'object_locked' : 'service_unavailable';
  send(res, fault.status ?? 503, { error_alias: alias, details: 'Injected fault.' }, headers);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
