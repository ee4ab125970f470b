import type { Config } from '../connector/config.ts';
import type { Logger } from '../connector/log.ts';
import { OdooClient } from '../connector/odoo/client.ts';
import type { FailedRecord, ProcessDeps } from '../connector/processes/deps.ts';
import {
  type CounterpartyRef,
  type InvoiceContext,
  type InvoiceReport,
  invoiceContext,
  invoiceCounterparty,
  listCounterparties,
} from '../connector/processes/invoice-period.ts';
import { type PushReport, pushPayments } from '../connector/processes/push-payments.ts';
import { type ReconcileReport, reconcilePeriod } from '../connector/processes/reconcile.ts';
import { type SyncInput, type SyncReport, syncMasterData } from '../connector/processes/sync.ts';
import { RcpClient } from '../connector/rcp/client.ts';

/**
 * What the jobs call: the same processes as the CLI, one implementation each. An interface so that
 * tests can put in processes that hang, fail or count.
 */
export interface Processes {
  sync(input: SyncInput): Promise<SyncReport>;
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
    options?: { force: boolean },
  ): Promise<InvoiceReport>;
  pushPayments(): Promise<PushReport>;
  reconcile(period: string): Promise<ReconcileReport>;
  /** The connector's deps (opened once, reopened after a failure): for the runs poller. */
  deps?(): Promise<ProcessDeps>;
  /** Whether RCP and Odoo answer (for the health endpoint). */
  health(): Promise<{ rcp: boolean; odoo: boolean }>;
  close(): Promise<void>;
}

/** The real processes on RCP and Odoo, with connections opened once and reopened after a failure. */
export function realProcesses(config: Config, log: Logger): Processes {
  let deps: Promise<ProcessDeps> | undefined;
  const open = (): Promise<ProcessDeps> => {
    deps ??= (async () => {
      const rcp = new RcpClient(config.rcp as NonNullable<Config['rcp']>, { log });
      const odoo = await OdooClient.connect(config.odoo as NonNullable<Config['odoo']>, { log });
      return { rcp, odoo, config, log };
    })().catch((error: unknown) => {
      deps = undefined;
      throw error;
    });
    return deps;
  };
  // Odoo's reference ids and precisions, shared by the many per-counterparty jobs of a run for a while.
  let context: { at: number; value: Promise<InvoiceContext> } | undefined;
  const contextOf = async (deps: ProcessDeps): Promise<InvoiceContext> => {
    if (!context || Date.now() - context.at > 5 * 60_000) {
      context = { at: Date.now(), value: invoiceContext(deps) };
      context.value.catch(() => {
        context = undefined;
      });
    }
    return context.value;
  };
  return {
    deps: open,
    sync: async (input) => syncMasterData(await open(), input),
    // The same choice of counterparties as the CLI's `invoice --partner/--client`.
    listCounterparties: async (period, filter = {}) => listCounterparties(await open(), period, filter),
    invoiceCounterparty: async (period, unit, options) => {
      const deps = await open();
      return invoiceCounterparty(deps, period, unit, await contextOf(deps), options?.force ?? false);
    },
    pushPayments: async () => pushPayments(await open()),
    reconcile: async (period) => reconcilePeriod(await open(), period),
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
    close: async () => {
      const opened = await deps?.catch(() => undefined);
      await opened?.odoo.close();
      await opened?.rcp.close();
    },
  };
}
