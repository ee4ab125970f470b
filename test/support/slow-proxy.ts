import { type Server, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlowProxy {
  url: string;
  /** Milliseconds every request waits before it is passed on (changeable while running). */
  delayMs: number;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of a real server (Odoo) that holds every request `delayMs` before passing
 * it on: a slow Odoo, so that the moments between a run's calls last long enough to act in them.
 */
export async function slowProxy(target: string, delayMs: number): Promise<SlowProxy> {
  const to = new URL(target);
  const proxy: SlowProxy = { url: '', delayMs, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    setTimeout(() => {
      const upstream = request(
        { host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    }, proxy.delayMs);
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
