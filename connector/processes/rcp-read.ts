import type { RcpClient } from '../rcp/client.ts';
import { describeSkipped } from '../rcp/errors.ts';
import type { Listing } from '../rcp/listing.ts';
import type { Client, Partner } from '../rcp/schemas.ts';
import type { FailedRecord } from './upsert.ts';

export interface ReadResult<T> {
  items: T[];
  /** Records RCP gave that broke the schema, and items it counted but never showed. */
  failed: FailedRecord[];
}

async function readAll<T>(listing: Listing<T>, kind: string): Promise<ReadResult<T>> {
  const items = await listing.all();
  const failed: FailedRecord[] = listing.skipped.map((s) => ({
    kind,
    record: `${s.what} ${s.id ?? '(no id)'}`,
    error: describeSkipped(s),
  }));
  if (listing.shortfall > 0) {
    failed.push({
      kind,
      record: `${kind} list`,
      error: `RCP counted ${listing.total} but ${listing.shortfall} could not be read (the list kept changing): run the sync again`,
    });
  }
  return { items, failed };
}

export async function readPartners(rcp: RcpClient, only?: string): Promise<ReadResult<Partner>> {
  const result = await readAll(rcp.partners(), 'partner');
  return only ? { ...result, items: result.items.filter((p) => p.id === only) } : result;
}

export function readClients(rcp: RcpClient, partner?: string): Promise<ReadResult<Client>> {
  return readAll(rcp.clients(partner ? { partner } : {}), 'client');
}
