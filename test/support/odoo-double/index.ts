import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NOT_FOUND_HTML, OdooFault, type OdooVersion, fault, json2Error, jsonRpcError } from './faults.ts';
import { type Call, Methods } from './methods.ts';
import { Orm, loadFields } from './orm.ts';
import { DEFAULTS, seed } from './seed.ts';
import { seedCounterparties } from './workspace.ts';

/**
 * An in-process Odoo 17, 18 or 19 for tests: `/web/webclient/version_info`, `/jsonrpc` (common and
 * object services) and, on 19, JSON-2 (`/json/2/<model>/<method>`). It keeps records in memory,
 * checks values against the version's recorded `fields_get`, and answers errors with the payloads
 * real servers gave (see odoo-contract). Small on purpose: what the connector uses, faithfully.
 */
export type { OdooVersion };

export interface OdooDoubleOptions {
  version: OdooVersion;
  db?: string;
  /** RCP → Counterparties is there (the sync writes counterparty records): the benchmark's `--workspace`. */
  counterparties?: boolean;
  /** Workspace models beyond the ledger and counterparties (`x_rcp_usage`: a month's usage records). */
  workspaceModels?: readonly string[];
}

export interface OdooDouble {
  url: string;
  version: OdooVersion;
  db: string;
  admin: { login: 'admin'; password: 'admin'; apiKey: string; uid: number };
  /** A least-privilege integration user: everything but reading or writing `ir.model.data` directly. */
  integration: { login: 'rcp_integration'; password: 'integration'; apiKey: string; uid: number };
  /** HTTP requests served so far. */
  requests(): number;
  /** Stored rows of a model, for assertions. */
  records(model: string): Array<Record<string, unknown>>;
  /** The next `count` RPC calls fail: a serialization failure or validation error answer, or a connection closed without answer. */
  failNext(kind: 'serialization' | 'drop' | 'validation', count?: number): void;
  /** Every call matching `when` fails this way (a crash at a chosen point), until `count` have failed. */
  failWhen(
    when: (call: { model: string; method: string; body: string }) => boolean,
    kind: 'serialization' | 'drop' | 'validation',
    count?: number,
  ): void;
  /** Sets a decimal precision ('Product Price', 'Product Unit of Measure'…), as an admin would. */
  setDigits(name: string, digits: number): void;
  close(): Promise<void>;
}

export async function startOdooDouble(options: OdooDoubleOptions): Promise<OdooDouble> {
  const { version } = options;
  const db = options.db ?? 'odoo';
  const orm = new Orm(version, loadFields(version, options.workspaceModels), DEFAULTS);
  const methods = new Methods(orm, version);
  seed(orm, methods);
  if (options.counterparties) seedCounterparties(orm);
  const admin = {
    login: 'admin' as const,
    password: 'admin' as const,
    apiKey: `double-api-key-${version}`,
    uid: 2,
  };
  const integration = {
    login: 'rcp_integration' as const,
    password: 'integration' as const,
    apiKey: `double-integration-key-${version}`,
    uid: 7,
  };
  const userOf = (login: unknown, secret: unknown) =>
    [admin, integration].find((u) => u.login === login && (secret === u.password || secret === u.apiKey));
  const uidOfSecret = (secret: unknown, uid: unknown) =>
    [admin, integration].find((u) => u.uid === uid && (secret === u.password || secret === u.apiKey));
  let served = 0;
  const pending: Array<'serialization' | 'drop' | 'validation'> = [];
  const rules: Array<{
    when: (call: { model: string; method: string; body: string }) => boolean;
    kind: 'serialization' | 'drop' | 'validation';
    left: number;
  }> = [];

  const server = createServer((req, res) => {
    served++;
    readJson(req)
      .then((body) => route(req, res, body))
      .catch((error: unknown) => {
        if (!res.headersSent) send(res, 500, { error: String(error) });
      });
  });

  function route(req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>) {
    const path = req.url ?? '/';
    if (path === '/web/webclient/version_info') {
      const info = {
        17: [17, 0, 0, 'final', 0, ''],
        18: [18, 0, 0, 'final', 0, ''],
        19: [19, 0, 0, 'final', 0, ''],
      }[version];
      return send(res, 200, {
        jsonrpc: '2.0',
        id: body.id ?? null,
        result: {
          server_version: `${version}.0`,
          server_version_info: info,
          server_serie: `${version}.0`,
          protocol_version: 1,
        },
      });
    }
    if (path === '/jsonrpc') return jsonRpc(req, res, body);
    if (path === '/_double/pay') {
      // For the benchmark: the accountant posts and pays these invoices in full (test set-up, not measured).
      const payments = ((body.moveIds as number[] | undefined) ?? []).map((id) =>
        orm.transaction(() => {
          methods.post(id);
          const wizard = methods.registerWizard({}, { active_model: 'account.move', active_ids: [id] });
          return (methods.createPayments(wizard) as { res_id: number }).res_id;
        }),
      );
      return send(res, 200, { payments });
    }
    if (path.startsWith('/json/2/')) {
      if (version !== '19') return sendHtml(res, 404, NOT_FOUND_HTML);
      return json2(req, res, path, body);
    }
    return sendHtml(res, 404, NOT_FOUND_HTML);
  }

  function jsonRpc(req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>) {
    const id = body.id ?? null;
    const params = (body.params ?? {}) as { service?: string; method?: string; args?: unknown[] };
    const args = params.args ?? [];
    const answer = (result: unknown) => send(res, 200, { jsonrpc: '2.0', id, result });
    const fail = (error: OdooFault) => send(res, 200, jsonRpcError(version, id, error));
    if (args[0] !== undefined && args[0] !== db) {
      return fail(
        new OdooFault(
          'psycopg2.OperationalError',
          `connection to server at "127.0.0.1", port 5432 failed: FATAL:  database "${String(args[0])}" does not exist\n`,
        ),
      );
    }
    if (params.service === 'common') {
      if (params.method === 'version') return answer({ server_version: `${version}.0`, protocol_version: 1 });
      if (params.method === 'login' || params.method === 'authenticate') {
        return answer(userOf(args[1], args[2])?.uid ?? false);
      }
      return fail(fault.value(`Method not available ${String(params.method)}`));
    }
    if (params.service !== 'object' || params.method !== 'execute_kw') {
      return fail(fault.value(`Method not available ${String(params.method)}`));
    }
    const user = uidOfSecret(args[2], args[1]);
    if (!user) return fail(fault.denied());
    const [, , , model, method, positional = [], kwargs = {}] = args as [
      unknown,
      unknown,
      unknown,
      string,
      string,
      unknown[],
      Record<string, unknown>,
    ];
    const { context = {}, ...named } = kwargs as { context?: Record<string, unknown> };
    // As each version's `call_kw` takes them (probed on real 17, 18 and 19): a method on the model
    // gets its arguments first; any other takes an id list first.
    const onModel = [
      'create',
      'search_read',
      'search',
      'search_count',
      'read_group',
      'load',
      'fields_get',
      'check_object_reference',
      'name_search',
      'check_access_rights',
      'context_get',
      ...(version === '17' ? ['has_access'] : []),
      ...(version === '19' ? ['precision_get'] : []),
    ];
    const onRecords = !onModel.includes(method);
    const ids = onRecords ? (positional[0] as number[] | undefined) : undefined;
    const rest = onRecords ? positional.slice(1) : positional;
    run(
      req,
      res,
      {
        model,
        method,
        ids: normaliseIds(ids),
        args: rest,
        kwargs: named,
        context,
        json2: false,
        uid: user.uid,
      },
      answer,
      fail,
    );
  }

  function json2(req: IncomingMessage, res: ServerResponse, path: string, body: Record<string, unknown>) {
    const [, , , model = '', method = ''] = path.split('/');
    const auth = /^bearer (.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
    const fail = (error: OdooFault) => send(res, error.status, json2Error(error));
    if (!auth) {
      return fail(
        new OdooFault(
          'werkzeug.exceptions.Unauthorized',
          'User not authenticated, use an API Key with a Bearer Authorization header.',
          401,
        ),
      );
    }
    const user = [admin, integration].find((u) => u.apiKey === auth);
    if (!user) return fail(new OdooFault('werkzeug.exceptions.Unauthorized', 'Invalid apikey', 401));
    const database = req.headers['x-odoo-database'];
    if (database !== undefined && database !== db) return sendHtml(res, 404, NOT_FOUND_HTML);
    if (!orm.hasModel(model))
      return fail(new OdooFault('werkzeug.exceptions.NotFound', `the model '${model}' does not exist`, 404));
    const { ids, context = {}, ...named } = body as { ids?: unknown; context?: Record<string, unknown> };
    run(
      req,
      res,
      { model, method, ids: normaliseIds(ids), args: [], kwargs: named, context, json2: true, uid: user.uid },
      (r) => send(res, 200, r),
      fail,
    );
  }

  function run(
    req: IncomingMessage,
    res: ServerResponse,
    call: Call,
    answer: (r: unknown) => void,
    fail: (e: OdooFault) => void,
  ) {
    const rule = rules.find(
      (r) =>
        r.left > 0 &&
        r.when({
          model: call.model,
          method: call.method,
          body: JSON.stringify([call.args, call.kwargs, call.context]),
        }),
    );
    if (rule) rule.left--;
    const injected = rule?.kind ?? pending.shift();
    if (injected === 'drop') return void req.socket.destroy();
    if (injected === 'serialization') return fail(fault.serialization());
    if (injected === 'validation') return fail(fault.validation('refused by the test'));
    try {
      answer(orm.transaction(() => methods.execute(call)));
    } catch (error) {
      if (error instanceof OdooFault) return fail(error);
      throw error;
    }
  }

  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    version,
    db,
    admin,
    integration,
    requests: () => served,
    records: (model) => [...orm.table(model).values()],
    failNext: (kind, count = 1) => {
      for (let i = 0; i < count; i++) pending.push(kind);
    },
    failWhen: (when, kind, count = Number.POSITIVE_INFINITY) => {
      rules.push({ when, kind, left: count });
    },
    setDigits: (name, digits) => {
      for (const row of orm.search('decimal.precision', [['name', '=', name]]))
        orm.patch('decimal.precision', row.id, { digits });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function normaliseIds(ids: unknown): number[] | undefined {
  if (ids === undefined || ids === null) return undefined;
  return Array.isArray(ids) ? (ids as number[]) : [ids as number];
}

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendHtml(res: ServerResponse, status: number, html: string) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(html);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/**
 * What a command run against the RCP simulator and this double reads: RCP's and Odoo's addresses,
 * the database, the user and their secrets, as environment variables.
 */
export function envOf(sim: { url: string; token: string }, double: OdooDouble): Record<string, string> {
  return {
    RCP_URL: sim.url,
    RCP_TOKEN: sim.token,
    ODOO_URL: double.url,
    ODOO_DB: double.db,
    ODOO_USER: double.admin.login,
    ODOO_API_KEY: double.admin.apiKey,
  };
}
