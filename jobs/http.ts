import { type Server, createServer } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express from 'express';
import type { Redis } from 'ioredis';
import type { Secret } from '../connector/secret.ts';
import type { Processes } from './processes.ts';
import type { Runner } from './worker.ts';

/**
 * The worker's small HTTP side: `/health` (Redis, Odoo and RCP reachable), `/metrics` (Prometheus
 * text) and `/dashboard` (Bull Board), the last only with DASHBOARD_TOKEN (`?token=` or a bearer).
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
        const cookie = /(?:^|;\s*)rcp_dashboard=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
        if (given === token.reveal() || cookie === token.reveal()) {
          if (given)
            res.cookie('rcp_dashboard', given, { httpOnly: true, sameSite: 'strict', path: '/dashboard' });
          return next();
        }
        res.status(401).send('DASHBOARD_TOKEN required: open /dashboard?token=…');
      },
      board.getRouter(),
    );
  }
  const server = createServer(app);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve(server));
  });
}
