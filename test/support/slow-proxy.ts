import { type IncomingMessage, type Server, type ServerResponse, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlowProxy {
  url: string;
  /** Milliseconds every request waits before it is passed on (changeable while running). */
  delayMs: number;
  close(): Promise<void>;
}

/** What a watching test is told of each request: its path and its whole body. */
export interface SeenRequest {
  url: string;
  body: string;
}

/**
 * What a watcher may ask of one request: to be called back once the server's answer came whole
 * (`answered`), to keep that answer from the client (`withhold`: the server did the work, the
 * client never hears of it), to drop the request before the server sees it (`drop`), or to keep
 * it until `hold` resolves before passing it on (a client slow at that moment, for as long as the
 * test needs to act in it).
 */
export interface WatchHooks {
  answered?: () => void;
  withhold?: boolean;
  drop?: boolean;
  hold?: Promise<void>;
}
export type Watcher = (seen: SeenRequest) => WatchHooks | undefined;

/**
 * An HTTP proxy in front of a real server (Odoo) that holds every request `delayMs` before passing
 * it on: a slow Odoo, so that the moments between a run's calls last long enough to act in them.
 * With a `watch`, each request is read whole first and shown to it, so that a test can act at a
 * moment it sees (a call in Odoo's hands, or just answered) instead of guessing one.
 */
export async function slowProxy(target: string, delayMs: number, watch?: Watcher): Promise<SlowProxy> {
  const to = new URL(target);
  const proxy: SlowProxy = { url: '', delayMs, close: async () => undefined };
  const pass = (req: IncomingMessage, res: ServerResponse, body?: Buffer, hooks: WatchHooks = {}) => {
    if (hooks.drop) {
      res.destroy();
      return;
    }
    const upstream = request(
      { host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        if (hooks.withhold) {
          answer.resume();
          answer.on('end', () => {
            hooks.answered?.();
            res.destroy();
          });
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        if (hooks.answered) answer.on('end', hooks.answered);
      },
    );
    upstream.on('error', () => res.destroy());
    if (body) upstream.end(body);
    else req.pipe(upstream);
  };
  const server: Server = createServer((req, res) => {
    if (!watch) {
      setTimeout(() => pass(req, res), proxy.delayMs);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      setTimeout(() => {
        const hooks = watch({ url: req.url ?? '', body: body.toString('utf8') });
        if (hooks?.hold) hooks.hold.then(() => pass(req, res, body, hooks));
        else pass(req, res, body, hooks);
      }, proxy.delayMs);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    });
  return proxy;
}
