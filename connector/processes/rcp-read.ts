import type { FailedRecord } from '../odoo/upsert.ts';
import type { RcpClient } from '../rcp/client.ts';
import { type SkippedRecord, describeSkipped } from '../rcp/errors.ts';
import type { Listing, SpilledList } from '../rcp/listing.ts';
import type { Client, Partner } from '../rcp/schemas.ts';

export interface ReadResult<T> {
  items: T[];
  /** Records RCP gave that broke the schema. (A list that would not hold still fails the read.) */
  failed: FailedRecord[];
  /** The records behind `failed`, for whoever must know whose they were (invoices). */
  skipped: SkippedRecord[];
}

async function readAll<T>(listing: Listing<T>, kind: string): Promise<ReadResult<T>> {
  const items = await listing.all();
  return { items, failed: failuresOf(listing, kind), skipped: listing.skipped };
}

function failuresOf<T>(listing: Listing<T>, kind: string): FailedRecord[] {
  return listing.skipped.map((s) => ({
    kind,
    record: `${s.what} ${s.id ?? '(no id)'}`,
    error: describeSkipped(s),
  }));
}

export async function readPartners(rcp: RcpClient, only?: string): Promise<ReadResult<Partner>> {
  const result = await readAll(rcp.partners(), 'partner');
  return only ? { ...result, items: result.items.filter((p) => p.id === only.toLowerCase()) } : result;
}

/**
 * Clients, kept to what the processes use (RCP's client records carry projects, hypervisors and
 * more): at 100,000 clients the difference is most of the memory.
 */
export async function readClients(rcp: RcpClient, partner?: string): Promise<ReadResult<Client>> {
  const listing = clientListing(rcp, partner);
  const items = await listing.all();
  return { items, failed: failuresOf(listing, 'client'), skipped: listing.skipped };
}

/**
 * Clients as `readClients` reads them, kept on disk until `dispose()` (see `Listing.spill`): for a
 * run that goes through them slice by slice, so that 100,000 clients never sit in memory at once.
 */
export async function spillClients(
  rcp: RcpClient,
  partner?: string,
): Promise<{ list: SpilledList<Client>; failed: FailedRecord[]; skipped: SkippedRecord[] }> {
  const listing = clientListing(rcp, partner);
  const list = await listing.spill();
  return { list, failed: failuresOf(listing, 'client'), skipped: listing.skipped };
}

/** RCP's client list (of one partner, when given), slimmed as it comes: a pass is held whole until it is known complete. */
function clientListing(rcp: RcpClient, partner?: string): Listing<Client> {
  return rcp.clients(partner ? { partner: partner.toLowerCase() } : {}, slimClient);
}

function slimClient(client: Client): Client {
  return {
    id: client.id,
    name: client.name,
    partner: client.partner ? { id: client.partner.id, name: client.partner.name } : client.partner,
    payment_model: client.payment_model,
    payment_methods: [],
    contact_emails: client.contact_emails.flatMap((c) => (c.email ? [{ email: c.email }] : [])),
    contract: {
      id: client.contract.id,
      balance: client.contract.balance,
      billing_plan: { id: client.contract.billing_plan.id, name: client.contract.billing_plan.name },
    },
  };
}
