import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express from 'express';
import type { Redis } from 'ioredis';
import type { Secret } from '../connector/secret.ts';
import type { Processes } from './processes.ts';
import type { Runner } from './worker.ts';

const SESSION_COOKIE = 'rcp_dashboard';
const SESSION_MS = 12 * 60 * 60 * 1000;

/**
 * Whether a given token is the secret, in time that does not depend on where they differ: both are
 * hashed first, so the comparison is of equal-length digests whatever the lengths given.
 */
export function sameSecret(given: string, secret: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(secret));
}

/** Dashboard sessions: random values handed out for a right token, valid for 12 hours, in memory. */
class Sessions {
  readonly #expiry = new Map<string, number>();
  open(now = Date.now()): string {
    for (const [id, until] of this.#expiry) if (until <= now) this.#expiry.delete(id);
    const id = randomBytes(32).toString('base64url');
    this.#expiry.set(id, now + SESSION_MS);
    return id;
  }
  valid(id: string, now = Date.now()): boolean {
    const until = this.#expiry.get(id);
    return until !== undefined && until > now;
  }
}

/**
 * The worker's small HTTP side: `/health` (Redis, Odoo and RCP reachable), `/metrics` (Prometheus
 * text) and `/dashboard` (Bull Board), the last only with DASHBOARD_TOKEN (`?token=` or a bearer,
 * then a session cookie). It listens on loopback unless told otherwise (WORKER_HOST): health and
 * metrics are open to whoever can reach the port.
 */
export function startWorkerHttp(options: {
  port: number;
  host?: string;
  runner: Runner;
  redis: Redis;
  processes: Processes;
  dashboardToken: Secret | undefined;
}): Promise<Server> {
  const app = express();
  app.get('/health', async (_req, res) => {
    const redis = await options.redis.ping().then(
      () => true,
      () => false,
    );
    const { rcp, odoo } = await options.processes.health();
    const ok = redis && rcp && odoo;
    res.status(ok ? 200 : 503).json({ ok, redis, odoo, rcp });
  });
  app.get('/metrics', async (_req, res) => {
    res
      .type(options.runner.metrics.registry.contentType)
      .send(await options.runner.metrics.registry.metrics());
  });
  if (options.dashboardToken) {
    const token = options.dashboardToken;
    const sessions = new Sessions();
    const board = new ExpressAdapter();
    board.setBasePath('/dashboard');
    createBullBoard({ queues: [new BullMQAdapter(options.runner.queue)], serverAdapter: board });
    app.use(
      '/dashboard',
      (req, res, next) => {
        const given =
          typeof req.query.token === 'string'
            ? req.query.token
            : /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
        if (given !== undefined && sameSecret(given, token.reveal())) {
          // A browser opened ?token=: its cookie keeps a random session value, never the token itself.
          if (typeof req.query.token === 'string')
            res.cookie(SESSION_COOKIE, sessions.open(), {
              httpOnly: true,
              sameSite: 'strict',
              path: '/dashboard',
              maxAge: SESSION_MS,
            });
          return next();
        }
        const cookie = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]+)`).exec(req.headers.cookie ?? '')?.[1];
        if (given === undefined && cookie !== undefined && sessions.valid(cookie)) return next();
        res.status(401).send('DASHBOARD_TOKEN required: open /dashboard?token=…');
      },
      board.getRouter(),
    );
  }
  const server = createServer(app);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve(server));
  });
}
