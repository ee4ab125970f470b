import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unitsOnDisk } from '../../connector/processes/invoice-units.ts';
import { SpilledList } from '../../connector/rcp/listing.ts';
import type { Client } from '../../connector/rcp/schemas.ts';
import {
  type InvoicedCounterparty,
  counterpartyBook,
  invoicedCounterparties,
} from '../../mappings/invoiced-counterparties.ts';

const partner = (id: string, plan?: string) => ({
  id,
  name: `partner ${id.slice(0, 4)}`,
  ...(plan ? { contract: { billing_plan: { id: plan } } } : {}),
});

function clientOf(partnerId: string | null, i: number): Client {
  return {
    id: randomUUID(),
    name: `client ${i}`,
    partner: partnerId ? { id: partnerId, name: 'p' } : null,
    payment_model: i % 2 ? 'prepay' : 'postpay',
    payment_methods: [],
    contact_emails: [],
    contract: { id: randomUUID(), balance: 0, billing_plan: { id: `plan-${i % 7}`, name: 'plan' } },
  } as unknown as Client;
}

async function spill(clients: Client[]): Promise<SpilledList<Client>> {
  const dir = await mkdtemp(join(tmpdir(), 'units-test-'));
  const file = join(dir, 'client.jsonl');
  await writeFile(file, clients.map((c) => `${JSON.stringify(c)}\n`).join(''));
  return new SpilledList<Client>(dir, file, clients.length);
}

describe('the counterparties of a client list kept on disk (unitsOnDisk), a chunk at a time', () => {
  it('are those of the list in memory, in its order, in chunks of about the size asked, none split', async () => {
    const own = randomUUID();
    const [big, small, empty, gone] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const partners = [partner(own), partner(big, 'plan-big'), partner(small), partner(empty, 'plan-e')];
    // Mixed as RCP lists them: direct clients (no partner, or the own partner's), a reseller with
    // more clients than a chunk, a small one, one with none, and a partner RCP did not list.
    const owners = [null, own, big, big, big, small, gone, null, big];
    const clients = Array.from({ length: 2_400 }, (_, i) => clientOf(owners[i % owners.length] ?? null, i));
    const list = await spill(clients);
    const expected = invoicedCounterparties(partners, clients, [own]);
    const tmp = await mkdtemp(join(tmpdir(), 'units-tmp-'));
    const onDisk = await unitsOnDisk(list, counterpartyBook(partners, [own]), 300, tmp);

    expect(onDisk.clients).toBe(2_400);
    expect(onDisk.counterparties).toBe(expected.length);
    for (const c of clients) expect(onDisk.listed.has(c.id)).toBe(true);
    expect(onDisk.listed.has(randomUUID())).toBe(false);

    const chunks: InvoicedCounterparty[][] = [];
    for await (const chunk of onDisk.chunks()) chunks.push(chunk);
    expect(chunks.flat()).toEqual(expected);
    for (const chunk of chunks) {
      const size = chunk.reduce((n, u) => n + u.clients.length, 0);
      // A chunk is within the size, or one counterparty alone bigger than it.
      if (chunk.length > 1) expect(size).toBeLessThanOrEqual(300);
    }
    expect(chunks.find((c) => c.some((u) => u.uuid === big))).toHaveLength(1);
    expect(chunks.flat().find((u) => u.uuid === empty)?.clients).toEqual([]);
    // Its chunks' files are gone once given; the list is its caller's to remove.
    expect(await readdir(tmp)).toEqual([]);
    await list.dispose();
  });

  it('removes its chunks’ files when the run stops early', async () => {
    const reseller = randomUUID();
    const clients = Array.from({ length: 50 }, (_, i) => clientOf(i % 2 ? reseller : null, i));
    const list = await spill(clients);
    const tmp = await mkdtemp(join(tmpdir(), 'units-tmp-'));
    const onDisk = await unitsOnDisk(list, counterpartyBook([partner(reseller)], []), 10, tmp);
    for await (const chunk of onDisk.chunks()) {
      expect(await readdir(tmp)).toHaveLength(1);
      expect(chunk).toHaveLength(10);
      break;
    }
    expect(await readdir(tmp)).toEqual([]);
    await list.dispose();
  });
});
