import { type Agent, request } from 'undici';
import type { OdooConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { networkCode, wasNotSent } from '../retry.ts';
import { OdooError, cleanMessage, kindOf } from './errors.ts';

/**
 * One call of a model method, in a form both protocols can send: `ids` (for methods on records),
 * the method's leading parameters by name and in order (JSON-RPC sends them by position, JSON-2 by
 * name), and keyword arguments.
 */
export interface OdooCall {
  model: string;
  method: string;
  ids?: readonly number[];
  params?: ReadonlyArray<readonly [name: string, value: unknown]>;
  kwargs?: Record<string, unknown>;
  context?: Record<string, unknown>;
}

/**
 * A call as Odoo's `execute_kw` takes it: positional `args` (the ids first, for methods on records)
 * and keyword arguments, the context among them. What JSON-RPC sends, and what a replay inside
 * Odoo passes to `odoo.api.call_kw`.
 */
export function toExecuteKw(call: OdooCall): { args: unknown[]; kwargs: Record<string, unknown> } {
  const args: unknown[] = call.ids ? [call.ids] : [];
  for (const [, value] of call.params ?? []) args.push(value);
  return { args, kwargs: { ...call.kwargs, ...(call.context ? { context: call.context } : {}) } };
}

export interface Transport {
  readonly protocol: 'json-rpc' | 'json-2';
  /** Logs in (JSON-RPC) or checks the key (JSON-2); answers the user's id. */
  authenticate(): Promise<number>;
  execute(call: OdooCall): Promise<unknown>;
}

export interface HttpDeps {
  agent: Agent;
  config: OdooConfig;
  log: Logger;
  onRoundTrip: () => void;
}

/** A failure before Odoo answered: the caller decides whether the call may be repeated. */
export class NoAnswerError extends Error {
  constructor(
    readonly code: string | undefined,
    /** True when nothing reached Odoo (connection refused): any call may be repeated. */
    readonly notSent: boolean,
    options?: { cause?: unknown },
  ) {
    super(`no answer from Odoo (${code ?? 'network error'})`, options);
  }
}

export async function postJson(
  deps: HttpDeps,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  deps.onRoundTrip();
  try {
    const response = await request(`${deps.config.url}${path}`, {
      method: 'POST',
      dispatcher: deps.agent,
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.statusCode, text: await response.body.text() };
  } catch (error) {
    const code = networkCode(error);
    throw new NoAnswerError(code, wasNotSent(code), { cause: error });
  }
}

interface JsonRpcError {
  code?: number;
  message?: string;
  data?: { name?: string; message?: string; debug?: string };
}

let nextId = 1;

/** Sends a JSON-RPC `call`; answers `result` or throws the mapped `OdooError`. */
export async function jsonRpc(deps: HttpDeps, path: string, params: unknown, call: string): Promise<unknown> {
  const answer = await postJson(deps, path, { jsonrpc: '2.0', method: 'call', id: nextId++, params });
  if (answer.status !== 200) {
    throw new OdooError(
      answer.status >= 500 ? 'network' : 'not-found',
      call,
      `HTTP ${answer.status} from ${path}`,
    );
  }
  let parsed: { result?: unknown; error?: JsonRpcError };
  try {
    parsed = JSON.parse(answer.text) as typeof parsed;
  } catch {
    throw new OdooError('server', call, `${path} answered something that is not JSON`);
  }
  if (parsed.error) {
    const name = parsed.error.data?.name ?? '';
    if (parsed.error.data?.debug)
      deps.log.debug({ call, exception: name, traceback: parsed.error.data.debug }, 'Odoo error');
    throw new OdooError(
      kindOf(name),
      call,
      cleanMessage(parsed.error.data?.message ?? parsed.error.message ?? ''),
      name,
    );
  }
  return parsed.result;
}

/** Odoo 17–19 `/jsonrpc`: `execute_kw` with the user id and password or API key on every call. */
export function jsonRpcTransport(deps: HttpDeps): Transport {
  const { db, user, secret } = deps.config;
  let uid: number | undefined;
  return {
    protocol: 'json-rpc',
    async authenticate() {
      const result = await jsonRpc(
        deps,
        '/jsonrpc',
        { service: 'common', method: 'login', args: [db, user, secret.value.reveal()] },
        'common.login',
      );
      if (typeof result !== 'number' || result <= 0) {
        throw new OdooError(
          'auth',
          'common.login',
          `Odoo refused the login of ODOO_USER=${user} on database ${db}: check ODOO_USER and ${secret.kind === 'apiKey' ? 'ODOO_API_KEY' : 'ODOO_PASSWORD'}`,
        );
      }
      uid = result;
      return result;
    },
    async execute(call) {
      if (uid === undefined) uid = await this.authenticate();
      const { args, kwargs } = toExecuteKw(call);
      return jsonRpc(
        deps,
        '/jsonrpc',
        {
          service: 'object',
          method: 'execute_kw',
          args: [db, uid, secret.value.reveal(), call.model, call.method, args, kwargs],
        },
        `${call.model}.${call.method}`,
      );
    },
  };
}

/** Odoo 19+ JSON-2: `POST /json/2/<model>/<method>`, named arguments, bearer API key, bare answers. */
export function json2Transport(deps: HttpDeps): Transport {
  const { db, secret } = deps.config;
  const headers = { authorization: `bearer ${secret.value.reveal()}`, 'x-odoo-database': db };
  const execute = async (call: OdooCall): Promise<unknown> => {
    const body: Record<string, unknown> = { ...Object.fromEntries(call.params ?? []), ...call.kwargs };
    if (call.ids) body.ids = call.ids;
    if (call.context) body.context = call.context;
    const name = `${call.model}.${call.method}`;
    const answer = await postJson(deps, `/json/2/${call.model}/${call.method}`, body, headers);
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.text);
    } catch {
      if (answer.status === 404) {
        throw new OdooError(
          'not-found',
          name,
          `no JSON-2 endpoint here (HTTP 404): check ODOO_URL and ODOO_DB (${db})`,
        );
      }
      throw new OdooError(
        answer.status >= 500 ? 'network' : 'server',
        name,
        `HTTP ${answer.status}, not JSON`,
      );
    }
    if (answer.status === 200) return parsed;
    const error = (parsed ?? {}) as { name?: string; message?: string; debug?: string };
    if (error.debug)
      deps.log.debug({ call: name, exception: error.name, traceback: error.debug }, 'Odoo error');
    const kind = kindOf(error.name ?? '', answer.status);
    const message =
      kind === 'auth'
        ? `Odoo refused the API key (${cleanMessage(error.message ?? '')}): check ODOO_API_KEY`
        : cleanMessage(error.message ?? `HTTP ${answer.status}`);
    throw new OdooError(kind, name, message, error.name);
  };
  return {
    protocol: 'json-2',
    async authenticate() {
      const context = (await execute({ model: 'res.users', method: 'context_get' })) as { uid?: unknown };
      if (typeof context.uid === 'number') return context.uid;
      const ids = (await execute({
        model: 'res.users',
        method: 'search',
        kwargs: { domain: [['login', '=', deps.config.user]], limit: 1 },
      })) as number[];
      return ids[0] ?? 0;
    },
    execute,
  };
}
