import { createHash } from 'node:crypto';
import type { ConfigFor, Need } from '../connector/config.ts';
import type { FailedRecord, ProcessDeps } from '../connector/deps.ts';
import type { ClaimHolder } from '../connector/deps.ts';
import { ConfigError, RunRefusedError } from '../connector/errors.ts';
import type { Logger } from '../connector/log.ts';
import { OdooClient } from '../connector/odoo/client.ts';
import {
  type CounterpartyRef,
  type InvoiceContext,
  type InvoiceReport,
  invoiceContext,
  invoiceCounterparty,
  listCounterparties,
} from '../connector/processes/invoice-period.ts';
import { RcpClient } from '../connector/rcp/client.ts';
import type { Work } from '../connector/work/work.ts';

/**
 * What the jobs call: the same processes as the CLI, one implementation each. An interface so that
 * tests can put in processes that hang, fail or count.
 */
export interface Processes {
  /** A kind of work (connector/work/registry.ts) on RCP and Odoo, with the configuration as it is now. */
  run<I, R>(work: Work<I, R>, input: I): Promise<R>;
  listCounterparties(
    period: string,
    filter?: {
      partner?: string | undefined;
      client?: string | undefined;
      allowOpenPeriod?: boolean | undefined;
    },
  ): Promise<{ units: CounterpartyRef[]; failed: FailedRecord[] }>;
  invoiceCounterparty(
    period: string,
    unit: CounterpartyRef,
    options?: { force: boolean; holder?: ClaimHolder | undefined },
  ): Promise<InvoiceReport>;
  /**
   * The connector's deps with the configuration as it is now (connections reused while their settings
   * are the same): for the runs poller. Throws ConfigError when the configuration is now invalid.
   */
  deps?(): Promise<ProcessDeps>;
  /** The Odoo connection last opened, to refuse a requested run when the configuration is now invalid. */
  lastOdoo?(): Promise<OdooClient | undefined>;
  /** Whether RCP and Odoo answer (for the health endpoint). */
  health(): Promise<{ rcp: boolean; odoo: boolean }>;
  close(): Promise<void>;
}

/** What decides which connections a configuration needs: a change in any of these opens new ones. */
function connectionKey({ rcp, odoo }: ConfigFor<'rcp' | 'odoo'>): string {
  const secret = (value: { reveal(): string }) =>
    createHash('sha256').update(value.reveal()).digest('hex').slice(0, 16);
  return JSON.stringify({
    rcp: {
      ...rcp,
      auth:
        rcp.auth.kind === 'token'
          ? secret(rcp.auth.token)
          : { ...rcp.auth, password: secret(rcp.auth.password) },
    },
    odoo: { ...odoo, secret: { kind: odoo.secret.kind, value: secret(odoo.secret.value) } },
  });
}

/**
 * The real processes on RCP and Odoo. The configuration is read again for every run, as the CLI
 * would read it at that moment (`configNow`: the environment and `.env` as they are now): whatever
 * decides money (taxes, journal, invoice date, own partners, max amount, payments since and mode…)
 * is never a value from when the worker started, and a configuration that is now invalid refuses the
 * run with its reasons (a ConfigError, never retried). Connections are reused while their settings
 * are the same, opened anew when they change, and reopened after a failure.
 */
/** The real processes: what the runs poller needs of them is there. */
export type RealProcesses = Processes & Required<Pick<Processes, 'deps' | 'lastOdoo'>>;

export function realProcesses(
  configNow: <N extends Need>(needs: readonly N[]) => ConfigFor<N>,
  log: Logger,
): RealProcesses {
  interface Connections {
    key: string;
    clients: Promise<{ rcp: RcpClient; odoo: OdooClient }>;
  }
  let current: Connections | undefined;
  // Connections whose settings changed: a run may still use them, so they are closed with the worker.
  const retired: Connections[] = [];
  type OpenDeps = ProcessDeps & { config: ConfigFor<'rcp' | 'odoo'> };
  const open = async (more: readonly Need[] = []): Promise<OpenDeps> => {
    let config: ConfigFor<'rcp' | 'odoo'>;
    try {
      config = configNow(['rcp', 'odoo', ...more]);
    } catch (error) {
      if (error instanceof ConfigError) throw new RunRefusedError(error.problems);
      throw error;
    }
    const key = connectionKey(config);
    if (current && current.key !== key) {
      log.info('the RCP or Odoo settings changed: new connections for this run');
      retired.push(current);
      current = undefined;
    }
    if (!current) {
      const opening: Connections = {
        key,
        clients: (async () => {
          const rcp = new RcpClient(config.rcp, { log });
          const odoo = await OdooClient.connect(config.odoo, { log });
          return { rcp, odoo };
        })(),
      };
      opening.clients.catch(() => {
        if (current === opening) current = undefined;
      });
      current = opening;
    }
    const { rcp, odoo } = await current.clients;
    return { rcp, odoo, config, log };
  };
  // Odoo's reference ids and precisions, shared by the many per-counterparty jobs of a run for a
  // while; read again when the connection or the payment term days change.
  let context: { at: number; key: string; value: Promise<InvoiceContext> } | undefined;
  const contextOf = async (deps: OpenDeps): Promise<InvoiceContext> => {
    const key = `${connectionKey(deps.config)}|${deps.config.invoicing.postpayTermDays}`;
    if (!context || context.key !== key || Date.now() - context.at > 5 * 60_000) {
      const value = invoiceContext(deps);
      context = { at: Date.now(), key, value };
      value.catch(() => {
        if (context?.value === value) context = undefined;
      });
    }
    return context.value;
  };
  return {
    deps: open,
    run: async (work, input) => work.run(await open(work.needs), input),
    // The same choice of counterparties as the CLI's `invoice --partner/--client`.
    listCounterparties: async (period, filter = {}) => listCounterparties(await open(), period, filter),
    invoiceCounterparty: async (period, unit, options) => {
      const deps = { ...(await open()), holder: options?.holder };
      return invoiceCounterparty(deps, period, unit, await contextOf(deps), options?.force ?? false);
    },
    health: async () => {
      const result = { rcp: false, odoo: false };
      try {
        const d = await open();
        result.odoo = (await d.odoo.searchCount('res.users', [['id', '=', d.odoo.uid]])) === 1;
        await d.rcp.partners()[Symbol.asyncIterator]().next();
        result.rcp = true;
      } catch {
        // reported as false
      }
      return result;
    },
    lastOdoo: async () => (await current?.clients.catch(() => undefined))?.odoo,
    close: async () => {
      for (const connections of [...retired.splice(0), ...(current ? [current] : [])]) {
        const opened = await connections.clients.catch(() => undefined);
        await opened?.odoo.close();
        await opened?.rcp.close();
      }
      current = undefined;
    },
  };
}
