import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProcessDeps } from '../../connector/deps.ts';
import type { OdooClient, OdooRecord } from '../../connector/odoo/client.ts';
import { invoiceCorrections } from '../../connector/processes/invoice-corrections.ts';
import { invoicePeriod } from '../../connector/processes/invoice-period.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import type { SimClient } from '../../connector/simulator/data.ts';
import { REPORT_UKD, reportName } from '../../connector/workspace/documents.ts';
import { rcpCostKopecks } from '../support/expected.ts';
import { realOdooFromEnv, realTitle } from '../support/real-odoo.ts';
import { useRealStack } from '../support/real-stack.ts';
import { webSession } from '../support/report-pages.ts';
import { expectUkdChainAddsUp, printedKopecks, ukdPage } from '../support/ukd-page.ts';

/**
 * The корректировочный счёт-фактура / УКД with VAT (a sale tax on top of RCP's amounts, as a Russian
 * provider invoices): invoices of a month posted, then one direct client's usage up (twice) and one
 * reseller's client's down (re-priced for the reseller); each correction printed from Odoo's report
 * route adds up column by column (quantity, price, amount, VAT, total) and to its Odoo amounts, row
 * А being what the original and the earlier corrections charged.
 */
const PERIOD = '2024-05';

interface Move extends Record<string, unknown> {
  id: number;
  move_type: string;
  state: string;
  amount_untaxed: number;
  amount_tax: number;
  amount_total: number;
}

describe.skipIf(!realOdooFromEnv().odoo)(realTitle('the УКД of corrections with VAT'), () => {
  const stack = useRealStack('ukd', { today: '2024-06-01', clients: 8, partners: 2 }, { workspace: true });
  let deps: ProcessDeps;
  let admin: OdooClient;
  let direct: SimClient;
  const originals = { direct: 0, reseller: 0 };
  const untaxedAt = { direct: 0 };

  const correctionsOf = async (originalId: number) => {
    const links = await admin.searchRead<{ id: number; x_move_id: [number, string] }>(
      'x_rcp_usage',
      [['x_corrects_move_id', '=', originalId]],
      ['x_move_id'],
    );
    const ids = [...new Set(links.map((l) => l.x_move_id[0]))].sort((a, b) => a - b);
    return ids.length
      ? admin.read<Move>('account.move', ids, [
          'move_type',
          'state',
          'amount_untaxed',
          'amount_tax',
          'amount_total',
        ])
      : [];
  };

  beforeAll(async () => {
    const s = stack();
    admin = s.admin;
    const [tax] = await admin.searchRead<OdooRecord>(
      'account.tax',
      [['type_tax_use', '=', 'sale']],
      ['name'],
      {
        limit: 1,
      },
    );
    expect(tax).toBeDefined();
    deps = {
      ...s.deps,
      config: { ...s.deps.config, invoicing: { ...s.deps.config.invoicing, taxIds: [tax?.id as number] } },
    };
    expect((await syncMasterData(deps, { what: 'all' })).failed).toEqual([]);
    const made = await invoicePeriod(deps, { period: PERIOD });
    expect(made.failed).toEqual([]);
    const world = s.sim.world;
    const clients = world.order
      .map((i) => world.client(i))
      .filter((c) => rcpCostKopecks(world, c, PERIOD) > 0);
    direct = clients.find((c) => c.partner.id === world.partners[0]?.id) as SimClient;
    const resold = clients.find((c) => c.partner.id === world.partners[1]?.id) as SimClient;
    expect(direct).toBeDefined();
    expect(resold).toBeDefined();
    originals.direct = made.invoices.find((i) => i.uuid === direct.id)?.odooId as number;
    originals.reseller = made.invoices.find((i) => i.uuid === world.partners[1]?.id)?.odooId as number;
    for (const invoice of made.invoices)
      if (invoice.odooId) await admin.callOn('account.move', 'action_post', [invoice.odooId]);
    const [d] = await admin.read<Move>('account.move', [originals.direct], ['amount_untaxed', 'amount_tax']);
    expect(d?.amount_tax).toBeGreaterThan(0);
    untaxedAt.direct = Math.round((d?.amount_untaxed ?? 0) * 100);
    // RCP's usage changes: the direct client's up, the reseller's client's down; a run; then the
    // direct client's up again, and a second run (a further correction for the new difference).
    world.scaleUsage(direct.index, 1.5);
    world.scaleUsage(resold.index, 0.5);
    expect((await invoiceCorrections(deps, { period: PERIOD })).failed).toEqual([]);
    world.scaleUsage(direct.index, 2);
    expect((await invoiceCorrections(deps, { period: PERIOD })).failed).toEqual([]);
  }, 900_000);

  it('each correction’s УКД adds up in every column, VAT included, to its Odoo amounts; А is what was charged before, Б what RCP says now', async () => {
    const directChain = await correctionsOf(originals.direct);
    const resellerChain = await correctionsOf(originals.reseller);
    expect(directChain.map((m) => m.move_type)).toEqual(['out_invoice', 'out_invoice']);
    expect(resellerChain.map((m) => m.move_type)).toEqual(['out_refund']);
    for (const move of [...directChain, ...resellerChain]) {
      expect(move.amount_tax).not.toBe(0);
      if (move.state === 'draft') await admin.callOn('account.move', 'action_post', [move.id]);
    }
    const get = await webSession(stack().odoo.admin.url, stack().odoo.admin.db);
    const print = async (template: string, id: number) => {
      const response = await get(`/report/html/${reportName(template)}/${id}`);
      return { status: response.status, html: await response.text() };
    };
    const shots = process.env.DOC_SHOTS;
    await expectUkdChainAddsUp(admin, print, originals.direct, directChain, {
      photo: shots
        ? {
            path: join(shots, `ukd-${admin.capabilities.major}.png`),
            url: stack().odoo.admin.url,
          }
        : undefined,
    });
    await expectUkdChainAddsUp(admin, print, originals.reseller, resellerChain);
    // Status 1 (корректировочный счёт-фактура and документ об изменении стоимости): it carries VAT.
    const first = await print(REPORT_UKD, directChain[0]?.id ?? 0);
    expect(/data-rcp="status"[^>]*>([^<]*)/.exec(first.html)?.[1]).toBe('1');
    // Against the simulator: the first УКД starts from what the posted invoice charged without VAT,
    // the last ends at what RCP's usage costs now (every product of the client changed).
    const rowsSum = (html: string, row: 'A' | 'B') =>
      [...ukdPage(html).lines.values()].reduce((s, rows) => s + printedKopecks(rows[row]?.amount ?? ''), 0);
    expect(rowsSum(first.html, 'A')).toBe(untaxedAt.direct);
    expect(rowsSum((await print(REPORT_UKD, directChain[1]?.id ?? 0)).html, 'B')).toBe(
      rcpCostKopecks(stack().sim.world, direct, PERIOD),
    );
  }, 300_000);
});
