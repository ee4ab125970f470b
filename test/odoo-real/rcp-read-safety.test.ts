import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OdooRecord } from '../../connector/odoo/client.ts';
import { externalIds } from '../../connector/odoo/external-ids.ts';
import { invoicePeriod } from '../../connector/processes/invoice-period.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import type { SimClient } from '../../connector/simulator/data.ts';
import type { Faults } from '../../connector/simulator/faults.ts';
import { invoiceXmlid } from '../../mappings/external-ids.ts';
import { toKopecks } from '../../mappings/money.ts';
import { realOdooFromEnv, realTitle } from '../support/real-odoo.ts';
import { type RealStack, useRealStack } from '../support/real-stack.ts';

/**
 * RCP answering short or wrong never changes a draft, on a real Odoo, through the real CLI over
 * HTTP to the simulator with its fault injection: each case exits non-zero and says what was held
 * back, and every invoice of the month keeps its amount (read back from Odoo).
 */
const PERIOD = '2024-05';
const bin = resolve('bin/rcp-odoo.mjs');
const cwd = mkdtempSync(join(tmpdir(), 'rcp-odoo-read-'));

interface Run {
  code: number;
  out: string;
  json: { failed?: Array<{ record: string; error: string }>; error?: string; errors?: string[] };
}

describe.skipIf(!realOdooFromEnv().odoo)(
  realTitle('a run’s view of RCP is whole, or it writes nothing'),
  () => {
    const stack = useRealStack(
      'rcpread',
      { today: '2024-06-01', clients: 24, partners: 3 },
      { workspace: true },
    );
    let s: RealStack;
    let env: Record<string, string>;
    let reseller: { id: string; name: string };
    let ofReseller: SimClient[];
    let directs: SimClient[];

    const cli = (args: string[], extra: Record<string, string> = {}) =>
      new Promise<Run>((done) => {
        execFile(
          process.execPath,
          [bin, ...args, '--json'],
          { cwd, env: { ...env, ...extra }, timeout: 240_000, maxBuffer: 20 * 1_048_576 },
          (error, stdout, stderr) => {
            let json: Run['json'] = {};
            try {
              json = JSON.parse(stdout) as Run['json'];
            } catch {
              // Not JSON: the assertions on `out` say what it was.
            }
            done({ code: error ? Number(error.code ?? 1) : 0, out: stdout + stderr, json });
          },
        );
      });

    /** Every customer invoice in Odoo: id → state and untaxed amount in kopecks. */
    const invoices = async () => {
      const rows = await s.deps.odoo.searchRead<OdooRecord & { state: string; amount_untaxed: number }>(
        'account.move',
        [['move_type', '=', 'out_invoice']],
        ['state', 'amount_untaxed'],
      );
      return new Map(rows.map((r) => [r.id, `${r.state} ${toKopecks(r.amount_untaxed)}`]));
    };
    const draftOf = async (kind: 'client' | 'partner', uuid: string) =>
      (await externalIds(s.deps.odoo).resolve([invoiceXmlid(PERIOD, kind, uuid)])).get(
        invoiceXmlid(PERIOD, kind, uuid),
      )?.id;

    /** Runs `invoice` with `faults` set, and checks that no invoice changed; answers the run. */
    const invoiceWith = async (faults: Partial<Faults>, extra: Record<string, string> = {}) => {
      const before = await invoices();
      s.sim.faults.update(faults);
      try {
        const run = await cli(['invoice', '--period', PERIOD], extra);
        expect(await invoices()).toEqual(before);
        return run;
      } finally {
        s.sim.faults.update({ records: [], lists: [] });
      }
    };

    beforeAll(async () => {
      s = stack();
      const { world } = s.sim;
      const odoo = s.odoo.config.odoo;
      env = {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        LOG_LEVEL: 'warn',
        RCP_URL: s.sim.url,
        RCP_TOKEN: s.sim.token,
        ODOO_URL: odoo?.url ?? '',
        ODOO_DB: odoo?.db ?? '',
        ODOO_USER: odoo?.user ?? '',
        [odoo?.secret.kind === 'apiKey' ? 'ODOO_API_KEY' : 'ODOO_PASSWORD']:
          odoo?.secret.value.reveal() ?? '',
        RCP_OWN_PARTNER_IDS: world.partners[0]?.id ?? '',
      };
      const all = world.order.map((i) => world.client(i));
      const partner = world.partners[1];
      if (!partner) throw new Error('no reseller');
      reseller = { id: partner.id, name: partner.name };
      // Only clients with usage in the month are on its drafts; a seed may stop every resource
      // of a client before May, and such a client can neither hold back nor leave a draft.
      const used = (c: SimClient) =>
        world.dailyUsage(c, { start: `${PERIOD}-01`, end: `${PERIOD}-31` }).length > 0;
      ofReseller = all.filter((c) => c.partner.id === partner.id && used(c));
      directs = all.filter((c) => c.partner.id === world.partners[0]?.id && used(c));
      expect(ofReseller.length).toBeGreaterThan(1);
      expect(directs.length).toBeGreaterThan(0);
      expect((await syncMasterData(s.deps, { what: 'all' })).failed).toEqual([]);
      const first = await invoicePeriod(s.deps, { period: PERIOD });
      expect(first.failed).toEqual([]);
      expect(await draftOf('partner', reseller.id)).toBeDefined();
      // Setup, a sync and a month's invoices: minutes for a least-privileged user on a busy machine.
    }, 400_000);

    it('a total that shrinks from page to page: read three times, then exit 1 naming both totals; no draft changed', async () => {
      const run = await invoiceWith({ lists: [{ path: '/client', fault: 'total-shrinks' }] });
      expect(run.code).toBe(1);
      expect(run.json.error).toMatch(
        /client list \(GET \/client\) changed while it was read, 3 times over: total was 24 on page 1 and 23 on page 2/,
      );
    });

    it('a page without items in the middle of the client list: exit 1, the page named; no draft changed', async () => {
      const run = await invoiceWith({ lists: [{ path: '/client', fault: 'page-without-items' }] });
      expect(run.code).toBe(1);
      expect(run.json.error).toContain('page 2 held 0 item(s) where total 24 and limit 10 make 10');
    });

    it('an oversized page fails in seconds, naming the URL; no draft changed', async () => {
      const started = Date.now();
      const run = await invoiceWith(
        { lists: [{ path: '/client', fault: 'oversized-page', bytes: 3 * 1_048_576 }] },
        { RCP_MAX_ANSWER_MB: '1' },
      );
      expect(run.code).toBe(1);
      expect(run.json.error).toContain(
        `(${s.sim.url}/v1/client?page=1) is larger than 1 MB (RCP_MAX_ANSWER_MB)`,
      );
      expect(Date.now() - started).toBeLessThan(60_000);
    });

    it('a client whose partner.id is "42" holds back the resellers, naming the client and field, not a short invoice', async () => {
      const [victim] = ofReseller;
      const run = await invoiceWith({ records: [{ id: victim?.id ?? '', fault: 'partner-id-not-uuid' }] });
      expect(run.code).toBe(1);
      const held = run.json.failed?.filter((f) => f.record.includes(reseller.id)) ?? [];
      expect(held).toHaveLength(1);
      expect(held[0]?.error).toContain(
        `client ${victim?.id}, whose partner cannot be read: partner.id: expected a uuid`,
      );
    });

    it('a usage row claiming 30 times its paid_seconds holds back its reseller, the row named once; no draft changed', async () => {
      const [victim] = ofReseller;
      const run = await invoiceWith({
        records: [{ id: victim?.id ?? '', fault: 'usage-implausible-seconds' }],
      });
      expect(run.code).toBe(1);
      expect(run.json.failed?.map((f) => f.record)).toEqual([`partner ${reseller.name} (${reseller.id})`]);
      expect(run.json.failed?.[0]?.error).toMatch(
        new RegExp(`\\(${victim?.id}\\): usage row .* cannot be true: paid_seconds \\d+ is not quantity`),
      );
    });

    it('clients that left RCP’s list keep their invoices: the reseller held back, the direct draft named; invoice and reconcile exit 1', async () => {
      const { world } = s.sim;
      const before = await invoices();
      const gone = [ofReseller[0], directs[0]];
      const direct = gone[1] as SimClient;
      const directDraft = await draftOf('client', direct.id);
      expect(directDraft).toBeDefined();
      const removed = gone.map(
        (c) => world.order.splice(world.order.indexOf(c?.index ?? -1), 1)[0] as number,
      );
      try {
        const run = await invoiceWith({});
        expect(run.code).toBe(1);
        const errors = run.json.failed?.map((f) => `${f.record}: ${f.error}`) ?? [];
        expect(errors.filter((e) => e.includes(reseller.id))).toEqual([
          expect.stringContaining(
            `client ${ofReseller[0]?.name} (${ofReseller[0]?.id}) is on its draft for ${PERIOD}`,
          ),
        ]);
        expect(errors.filter((e) => e.includes(`account.move ${directDraft}`))).toEqual([
          expect.stringContaining(
            `holds the usage of ${direct.name} (${direct.id}), which RCP's client list no longer has`,
          ),
        ]);
        const reconcile = await cli(['reconcile', '--period', PERIOD]);
        expect(reconcile.code).toBe(1);
        expect(reconcile.out).toContain(reseller.id);
        expect(reconcile.out).toContain(direct.id);
      } finally {
        for (const index of removed) world.order.push(index);
      }
      const again = await cli(['invoice', '--period', PERIOD]);
      expect(again.code).toBe(0);
      expect(await invoices()).toEqual(before);
    });

    it('INVOICE_TAX_IDS naming a purchase tax: invoice and reconcile refuse with exit 2; no draft changed', async () => {
      let [purchase] = await s.admin.search('account.tax', [['type_tax_use', '=', 'purchase']], { limit: 1 });
      if (!purchase)
        [purchase] = await s.admin.create('account.tax', [
          { name: 'Входящий НДС', amount: 20, type_tax_use: 'purchase' },
        ]);
      const before = await invoices();
      const run = await cli(['invoice', '--period', PERIOD], { INVOICE_TAX_IDS: String(purchase) });
      expect(run.code).toBe(2);
      expect(run.out).toMatch(
        new RegExp(`INVOICE_TAX_IDS: ${purchase} \\(.*\\) is a purchase tax, not a sale tax`),
      );
      const reconcile = await cli(['reconcile', '--period', PERIOD], { INVOICE_TAX_IDS: String(purchase) });
      expect(reconcile.code).toBe(2);
      expect(await invoices()).toEqual(before);
    });
  },
);
