import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import type { OdooClient } from './odoo/client.ts';
import type { FailedRecord } from './odoo/upsert.ts';
import type { RcpClient } from './rcp/client.ts';

/** How far a long process is: `done` of `total` units (clients, invoices, payments) of one phase. */
export interface ProgressEvent {
  phase: string;
  done: number;
  total: number;
}

/** Who holds a claim: shown to whoever meets it, and what lets a run take it over at once. */
export interface ClaimHolder {
  /** The run in RCP → Runs, or the flow, the claim is made for. */
  run?: string | undefined;
  /**
   * The queue job doing the work: a claim of the same job held by another owner is taken over at
   * once (the queue handed the job on: its first holder stopped).
   */
  job?: string | undefined;
  worker?: string | undefined;
  host?: string | undefined;
  pid?: number | undefined;
}

/**
 * What every process works with: the two edges, the configuration and a logger. Below processes/
 * and workspace/, which both take it.
 */
export interface ProcessDeps {
  rcp: RcpClient;
  odoo: OdooClient;
  config: Config;
  log: Logger;
  /** Told at batch boundaries of long work (a progress bar listens); never required. */
  progress?: ((event: ProgressEvent) => void) | undefined;
  /** Who the claims in Odoo are held for (the queue job and run of a worker); this process otherwise. */
  holder?: ClaimHolder | undefined;
}

export type { FailedRecord };

export interface KindCounts {
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}
