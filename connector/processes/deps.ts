import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { OdooClient } from '../odoo/client.ts';
import type { RcpClient } from '../rcp/client.ts';
import type { ClaimHolder } from '../workspace/claims.ts';
import type { FailedRecord } from './upsert.ts';

/** How far a long process is: `done` of `total` units (clients, invoices, payments) of one phase. */
export interface ProgressEvent {
  phase: string;
  done: number;
  total: number;
}

/** What every process works with: the two edges, the configuration and a logger. */
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
