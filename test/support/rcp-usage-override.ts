import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A usage row as RCP's `GET /v1/billing_details` answers it (see ../shared/spec/rcp-api.md). */
export interface RcpUsageRow {
  target: { id: string; type: string; name: string };
  billing_class: { id: string; name: string; measure: string };
  paid_seconds: number;
  quantity: number;
  cost: number;
  project: string;
  period: 'minute' | 'hour' | 'day' | 'month' | 'year';
  date: string;
}

/**
 * An HTTP front for the simulator that answers `billing_details` of chosen clients with given rows
 * (dated at the requested start, i.e. one whole quantum) and passes everything else through: RCP
 * "says" exactly these rows, and the connector reads them over HTTP like any others. For scenarios
 * the generated world cannot produce deterministically (rounding cases).
 */
/** A billing class's price as the front says it instead of the simulator (so that its rows' cost is price × quantity). */
export interface PriceOverride {
  classId: string;
  cost: number;
  period: RcpUsageRow['period'];
}

export async function startUsageOverride(
  upstream: string,
  usageOf: (clientId: string) => Array<Omit<RcpUsageRow, 'date'>> | undefined,
  pricesOf: (planId: string) => PriceOverride[] | undefined = () => undefined,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://front');
    const plan = /^\/v1\/billing_plan\/([^/]+)\/price$/.exec(url.pathname)?.[1];
    const prices = req.method === 'GET' && plan ? pricesOf(decodeURIComponent(plan)) : undefined;
    const rows =
      req.method === 'GET' && url.pathname === '/v1/billing_details'
        ? usageOf(url.searchParams.get('client') ?? '')
        : undefined;
    if (rows) {
      const date = url.searchParams.get('start_date') ?? '';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(rows.map((row) => ({ ...row, date }))));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      try {
        const headers = Object.fromEntries(
          Object.entries(req.headers).flatMap(([k, v]) =>
            typeof v === 'string' && k !== 'host' && k !== 'connection' ? [[k, v]] : [],
          ),
        );
        const answer = await fetch(`${upstream}${req.url ?? '/'}`, {
          method: req.method ?? 'GET',
          headers,
          ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
        });
        res.writeHead(answer.status, {
          'content-type': answer.headers.get('content-type') ?? 'application/json',
        });
        if (prices && answer.status === 200) {
          const list = (await answer.json()) as Array<{
            billing_class: { id: string };
            cost: number;
            period: string;
          }>;
          for (const price of list) {
            const override = prices.find((p) => p.classId === price.billing_class.id);
            if (override) Object.assign(price, { cost: override.cost, period: override.period });
          }
          res.end(JSON.stringify(list));
          return;
        }
        res.end(Buffer.from(await answer.arrayBuffer()));
      } catch (error) {
        res.writeHead(502);
        res.end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
