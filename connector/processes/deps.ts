import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { OdooClient } from '../odoo/client.ts';
import type { RcpClient } from '../rcp/client.ts';
import type { FailedRecord } from './upsert.ts';

/** What every process works with: the two edges, the configuration and a logger. */
export interface ProcessDeps {
  rcp: RcpClient;
  odoo: OdooClient;
  config: Config;
  log: Logger;
}

export type { FailedRecord };

export interface KindCounts {
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}
