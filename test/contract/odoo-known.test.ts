import { describe, expect, it } from 'vitest';
import { type ObservedCall, OdooClient } from '../../connector/odoo/client.ts';
import { knownUsageOf } from '../../connector/processes/odoo-known.ts';
import { doubleConfig, useOdooDouble } from '../support/odoo.ts';

/**
 * What a month's second invoice run reads of the first (the usage records, grouped by invoice,
 * partner and client): Odoo repeats the whole domain asked in every group it answers (`__domain`,
 * as the double does), so the size of one answer must not grow with the number of partners read.
 * At 100,000 clients on a real Odoo 18, one such answer was 130 MB and the run died out of memory.
 */
describe('the usage Odoo already holds for a month, read at any number of partners', () => {
  const double = useOdooDouble('18', { workspaceModels: ['x_rcp_usage'] });

  /** A month with `n` invoiced partners, one draft and one client each; the largest answer to reading it. */
  async function largestAnswer(n: number): Promise<{ bytes: number; known: number }> {
    const seen: ObservedCall[] = [];
    const odoo = await OdooClient.connect(doubleConfig(double(), 'password'), {
      observe: (o) => seen.push(o),
    });
    try {
      const tag = `${n}-${Date.now()}`;
      const partners = await odoo.create(
        'res.partner',
        Array.from({ length: n }, (_, i) => ({ name: `Known ${tag} ${i}`, is_company: true })),
      );
      const moves = await odoo.create(
        'account.move',
        partners.map((p) => ({ move_type: 'out_invoice', partner_id: p })),
      );
      const clients = await odoo.create(
        'x_rcp_counterparty',
        partners.map((_, i) => ({
          x_rcp_id: `00000000-0000-4000-8000-${String(i).padStart(6, '0')}${String(n).padStart(6, '0')}`,
          x_kind: 'client',
          x_name: `Client ${i}`,
        })),
      );
      await odoo.create(
        'x_rcp_usage',
        partners.flatMap((p, i) =>
          ['Storage', 'Compute'].map((name) => ({
            x_name: name,
            x_period: '2024-05',
            x_partner_id: p,
            x_move_id: moves[i],
            x_counterparty_id: clients[i],
            x_amount: 10,
          })),
        ),
      );
      seen.length = 0;
      const known = await knownUsageOf(odoo, '2024-05', { partnerIds: partners, states: ['draft'] });
      const bytes = Math.max(
        ...seen.filter((o) => o.call.method === 'read_group').map((o) => JSON.stringify(o.result).length),
      );
      return { bytes, known: known.filter((k) => partners.includes(k.partnerId)).length };
    } finally {
      await odoo.close();
    }
  }

  it('every invoice’s client is found, and the largest answer at 1,600 partners is no larger than at 400', async () => {
    const small = await largestAnswer(400);
    const large = await largestAnswer(1_600);
    expect(small.known).toBe(400);
    expect(large.known).toBe(1_600);
    // Pages of at most PARTNERS_PER_READ partners: the same size whatever the month. Sending the
    // month's partners in one domain made it 16 times larger here (quadratic).
    expect(large.bytes).toBeLessThan(small.bytes * 1.5);
  }, 120_000);
});

describe('the usage Odoo holds for a month, where setup made no workspace', () => {
  const double = useOdooDouble('18');

  it('is none, for any number of partners: the read stops at the first missing model', async () => {
    const seen: ObservedCall[] = [];
    const odoo = await OdooClient.connect(doubleConfig(double(), 'password'), {
      observe: (o) => seen.push(o),
    });
    try {
      // More partners than one read holds: the second read of the missing model failed the run.
      const partnerIds = Array.from({ length: 450 }, (_, i) => i + 1);
      expect(await knownUsageOf(odoo, '2024-05', { partnerIds, states: ['draft', 'posted'] })).toEqual([]);
      expect(seen.filter((o) => o.call.method === 'read_group')).toHaveLength(1);
    } finally {
      await odoo.close();
    }
  });
});
