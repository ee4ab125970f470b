import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CounterpartyBook,
  type InvoicedCounterparty,
  chunksOf,
  placeClient,
  unknownPartner,
} from '../../mappings/invoiced-counterparties.ts';
import { IdSet } from '../id-set.ts';
import type { SpilledList } from '../rcp/listing.ts';
import type { Client } from '../rcp/schemas.ts';

/** A partner's clients kept before they are appended to their chunk's file. */
const FLUSH_LINES = 500;

type Member = InvoicedCounterparty['clients'][number];

/**
 * The invoiced counterparties of RCP's whole client list kept on disk (`spillClients`), a chunk of
 * about `chunkClients` clients at a time, so that a run over 100,000 clients holds one chunk's
 * counterparties, not all of them. Who is invoiced is `placeClient`'s rule, as for a list in memory
 * (`invoicedCounterparties`), in the same order: direct clients, then partners RCP did not list,
 * then resellers.
 *
 * A first pass counts each partner's clients (to cut the partners into chunks before their clients
 * are read) and notes every client listed; `chunks()` goes through the list again, gives the direct
 * clients' chunks as it goes and puts each partner's clients in its chunk's file, then gives those
 * chunks one file at a time.
 */
export async function unitsOnDisk(
  list: SpilledList<Client>,
  book: CounterpartyBook,
  chunkClients: number,
  /** Where the chunks' files go (a directory of their own inside it). */
  tmp = tmpdir(),
): Promise<{
  /** Every client RCP listed (compact: one per client is what is held whole). */
  listed: IdSet;
  /** Clients over all chunks. */
  clients: number;
  /** Counterparties over all chunks. */
  counterparties: number;
  chunks: () => AsyncGenerator<InvoicedCounterparty[]>;
}> {
  const listed = new IdSet();
  const counts = new Map<string, number>();
  let clients = 0;
  let direct = 0;
  for await (const slice of list.slices(chunkClients)) {
    for (const client of slice) {
      listed.add(client.id);
      clients++;
      const place = placeClient(client, book);
      if ('partnerId' in place) counts.set(place.partnerId, (counts.get(place.partnerId) ?? 0) + 1);
      else direct++;
    }
  }
  const groups = [
    ...[...counts.keys()].filter((id) => !book.resellers.has(id)),
    ...book.resellers.keys(),
  ].map((id) => ({ id, count: counts.get(id) ?? 0 }));
  const plan = chunksOf(groups, (g) => g.count, chunkClients);
  const chunkOf = new Map(plan.flatMap((chunk, index) => chunk.map((g) => [g.id, index] as const)));

  async function* chunks(): AsyncGenerator<InvoicedCounterparty[]> {
    const dir = await mkdtemp(join(tmp, 'rcp-units-'));
    const fileOf = (index: number) => join(dir, `${index}.jsonl`);
    try {
      const waiting: string[][] = plan.map(() => []);
      const flush = async (index: number) => {
        const lines = waiting[index] ?? [];
        if (lines.length === 0) return;
        waiting[index] = [];
        await appendFile(fileOf(index), `${lines.join('\n')}\n`);
      };
      let direct: InvoicedCounterparty[] = [];
      for await (const slice of list.slices(chunkClients)) {
        for (const client of slice) {
          const place = placeClient(client, book);
          if ('unit' in place) {
            direct.push(place.unit);
            if (direct.length >= chunkClients) {
              yield direct;
              direct = [];
            }
            continue;
          }
          const index = chunkOf.get(place.partnerId) ?? 0;
          const lines = waiting[index] ?? [];
          lines.push(JSON.stringify([place.partnerId, place.member]));
          if (lines.length >= FLUSH_LINES) await flush(index);
        }
      }
      if (direct.length > 0) yield direct;
      direct = [];
      for (const index of plan.keys()) await flush(index);
      for (const [index, chunk] of plan.entries()) {
        const units = new Map(
          chunk.map(({ id }) => {
            const reseller = book.resellers.get(id);
            return [id, reseller ? { ...reseller, clients: [] as Member[] } : unknownPartner(id)];
          }),
        );
        const text = chunk.some((g) => g.count > 0) ? await readFile(fileOf(index), 'utf8') : '';
        for (const line of text.split('\n')) {
          if (line === '') continue;
          const [partnerId, member] = JSON.parse(line) as [string, Member];
          units.get(partnerId)?.clients.push(member);
        }
        yield [...units.values()];
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return { listed, clients, counterparties: direct + groups.length, chunks };
}
