import { readFileSync, readdirSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OdooConfig } from '../../connector/config.ts';
import { OdooClient } from '../../connector/odoo/client.ts';
import { OdooError, type OdooErrorKind } from '../../connector/odoo/errors.ts';
import { Secret } from '../../connector/secret.ts';

/**
 * Every error real Odoo servers answered (odoo-contract/<version>/transcripts) is replayed, byte
 * for byte, to the client, which must turn it into the right kind of typed error with the
 * server's message and without the traceback.
 */
const CONTRACT = resolve('test/fixtures/odoo-contract');

interface Transcript {
  request: { path: string; headers?: Record<string, string>; body: Record<string, unknown> };
  status: number;
  answer: unknown;
}

const EXPECTED: Record<string, OdooErrorKind> = {
  'odoo.exceptions.AccessError': 'access',
  'odoo.exceptions.AccessDenied': 'auth',
  'werkzeug.exceptions.Unauthorized': 'auth',
  'odoo.exceptions.UserError': 'validation',
  'odoo.exceptions.ValidationError': 'validation',
  'builtins.ValueError': 'validation',
  'odoo.exceptions.MissingError': 'missing',
  'psycopg2.OperationalError': 'database',
  'werkzeug.exceptions.NotFound': 'not-found',
};

function errorOf(t: Transcript): { name: string; message: string; debug: string } | undefined {
  const answer = t.answer as { error?: { data: { name: string; message: string; debug: string } } } & {
    name?: string;
    message?: string;
    debug?: string;
  };
  if (answer && typeof answer === 'object' && answer.error) return answer.error.data;
  if (answer && typeof answer === 'object' && typeof answer.debug === 'string') {
    return { name: answer.name ?? '', message: answer.message ?? '', debug: answer.debug };
  }
  return undefined;
}

const cases = ['17', '18', '19'].flatMap((version) =>
  readdirSync(join(CONTRACT, version, 'transcripts'))
    .map((file) => ({
      version,
      file,
      t: JSON.parse(readFileSync(join(CONTRACT, version, 'transcripts', file), 'utf8')) as Transcript,
    }))
    .filter(
      ({ t }) =>
        errorOf(t) !== undefined && (t.request.path === '/jsonrpc' || t.request.path.startsWith('/json/2/')),
    ),
);
const isLogin = (t: Transcript) =>
  (t.request.body.params as { service?: string } | undefined)?.service === 'common';

/** A server that answers the version and login, then whatever the transcript recorded. */
let server: Server;
let url = '';
let current: { version: string; t: Transcript } | undefined;
beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { params?: { service?: string } };
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      const version = current?.version ?? '17';
      if (req.url === '/web/webclient/version_info') {
        return reply(200, {
          jsonrpc: '2.0',
          id: null,
          result: {
            server_version: `${version}.0`,
            server_version_info: [Number(version), 0, 0, 'final', 0, ''],
          },
        });
      }
      if (req.url === '/jsonrpc' && body.params?.service === 'common') {
        return current && isLogin(current.t)
          ? reply(200, current.t.answer)
          : reply(200, { jsonrpc: '2.0', id: 1, result: 2 });
      }
      if (req.url === '/json/2/res.users/context_get') return reply(200, { uid: 2, lang: 'en_US' });
      reply(current?.t.status ?? 500, current?.t.answer);
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function configFor(json2: boolean): OdooConfig {
  return {
    url,
    db: 'rcp',
    user: 'admin',
    secret: { kind: json2 ? 'apiKey' : 'password', value: new Secret('admin') },
    companyId: undefined,
    batchSize: 500,
    concurrency: 2,
    timeoutMs: 5_000,
  };
}

describe('Odoo errors as real servers answered them', () => {
  it('covers every recorded kind of error', () => {
    const names = new Set(cases.map(({ t }) => errorOf(t)?.name));
    expect([...names].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('a refused login (`result: false`) is an auth error naming the user and the variable to check', async () => {
    current = {
      version: '18',
      t: JSON.parse(
        readFileSync(join(CONTRACT, '18/transcripts/common_login_bad_password.json'), 'utf8'),
      ) as Transcript,
    };
    const error = await OdooClient.connect(configFor(false)).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'auth' });
    expect((error as Error).message).toMatch(
      /ODOO_USER=admin on database rcp: check ODOO_USER and ODOO_PASSWORD/,
    );
  });

  it.each(cases.map((c) => [`${c.version}/${c.file}`, c] as const))('%s', async (_, { version, t }) => {
    const json2 = t.request.path.startsWith('/json/2/');
    current = { version, t };
    const recorded = errorOf(t);
    if (isLogin(t)) {
      const error = await OdooClient.connect(configFor(false)).catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: EXPECTED[recorded?.name ?? ''], exception: recorded?.name });
      return;
    }
    const odoo = await OdooClient.connect(configFor(json2), { backoff: { attempts: 1 } });
    try {
      let model: string;
      let method: string;
      if (json2) {
        [, , , model = '', method = ''] = t.request.path.split('/');
      } else {
        const args = (t.request.body.params as { args: unknown[] }).args;
        model = String(args[3]);
        method = String(args[4]);
      }
      const error = await odoo.call({ model, method }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OdooError);
      const odooError = error as OdooError;
      expect(odooError.kind).toBe(EXPECTED[recorded?.name ?? '']);
      expect(odooError.exception).toBe(recorded?.name);
      if (odooError.kind !== 'auth')
        expect(odooError.serverMessage).toBe(recorded?.message.replace(/\s+/g, ' ').trim().slice(0, 400));
      expect(odooError.message).not.toContain('Traceback');
      expect(odooError.message).not.toContain('File "');
      expect(odooError.retryable).toBe(false);
    } finally {
      await odoo.close();
    }
  });
});
