import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previousMonth } from '../../connector/cli/demo.ts';
import { type Config, loadConfig } from '../../connector/config.ts';
import { ConfigError } from '../../connector/errors.ts';
import { silentLogger } from '../../connector/log.ts';
import { OdooClient } from '../../connector/odoo/client.ts';
import type { ProcessDeps } from '../../connector/processes/deps.ts';
import { invoicePeriod } from '../../connector/processes/invoice-period.ts';
import { pushPayments } from '../../connector/processes/push-payments.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import { RcpClient } from '../../connector/rcp/client.ts';
import { Secret } from '../../connector/secret.ts';
import { type Simulator, startSimulator } from '../../connector/simulator/server.ts';
import { rcpCostKopecks, repricedKopecks } from '../support/expected.ts';

/**
 * Sync, invoices and payments against a real Odoo (ODOO_URL…), fed by the simulator with a seed of
 * its own per run, so that every run makes new counterparties in a database that keeps the old.
 */
function realConfig(): { config: Config | undefined; reason: string } {
  try {
    return { config: loadConfig(['odoo']), reason: '' };
  } catch (error) {
    return {
      config: undefined,
      reason: error instanceof ConfigError ? (error.problems[0] ?? '') : String(error),
    };
  }
}

const { config, reason } = realConfig();
const title = config
  ? `processes against the real Odoo at ${config.odoo?.url}`
  : `processes against a real Odoo (skipped: ${reason.split(':')[0]}; set ODOO_URL, ODOO_DB, ODOO_USER and ODOO_PASSWORD or ODOO_API_KEY)`;

describe.skipIf(!config)(title, () => {
  const period = previousMonth();
  let sim: Simulator;
  let deps: ProcessDeps;
  beforeAll(async () => {
    sim = await startSimulator({ seed: Date.now() % 1_000_000, clients: 12, partners: 3 });
    const rcp = new RcpClient({
      baseUrl: `${sim.url}/v1`,
      auth: { kind: 'token', token: new Secret(sim.token) },
      concurrency: 4,
      timeoutMs: 30_000,
    });
    const odoo = await OdooClient.connect((config as Config).odoo as NonNullable<Config['odoo']>);
    const base = config as Config;
    deps = {
      rcp,
      odoo,
      config: {
        ...base,
        ownPartnerIds: [sim.world.partners[0]?.id ?? ''],
        payments: { since: '2020-01-01', mode: 'posted' },
      },
      log: silentLogger,
    };
  });
  afterAll(async () => {
    await deps?.odoo.close();
    await deps?.rcp.close();
    await sim?.close();
  });

  it('a first sync creates everything, a second writes nothing', async () => {
    const first = await syncMasterData(deps, { what: 'all' });
    expect(first.failed).toEqual([]);
    expect(first.counts.client).toMatchObject({ created: 12 });
    expect(first.counts.partner).toMatchObject({ created: 3 });
    const second = await syncMasterData(deps, { what: 'all' });
    expect(second.counts.client).toMatchObject({ created: 0, updated: 0, unchanged: 12 });
    expect(second.counts.product).toMatchObject({ created: 0, updated: 0 });
    expect(second.counts.price).toMatchObject({ created: 0, updated: 0 });
  });

  it('invoices equal RCP’s cost (direct) and the re-priced sum (resellers) to the kopeck; a re-run changes nothing', async () => {
    const report = await invoicePeriod(deps, { period });
    expect(report.failed).toEqual([]);
    for (const invoice of report.invoices.filter((i) => i.outcome === 'created')) {
      const expected =
        invoice.kind === 'client'
          ? rcpCostKopecks(
              sim.world,
              sim.world.clientById(invoice.uuid) as NonNullable<ReturnType<typeof sim.world.clientById>>,
              period,
            )
          : repricedKopecks(
              sim.world,
              sim.world.partners.findIndex((p) => p.id === invoice.uuid),
              period,
            );
      expect(invoice.odooKopecks).toBe(expected);
    }
    const again = await invoicePeriod(deps, { period });
    expect(
      again.invoices.filter((i) => i.outcome !== 'no usage').every((i) => i.outcome === 'unchanged'),
    ).toBe(true);
  });

  it('a paid invoice’s payment reaches RCP once', async () => {
    const report = await invoicePeriod(deps, { period });
    const invoice = report.invoices.find((i) => i.kind === 'client' && i.odooId);
    const moveId = invoice?.odooId ?? 0;
    await deps.odoo.callOn('account.move', 'action_post', [moveId]);
    const context = { active_model: 'account.move', active_ids: [moveId] };
    const [wizard] = await deps.odoo.create('account.payment.register', [{}], context);
    const action = await deps.odoo.callOn<{ res_id: number }>(
      'account.payment.register',
      'action_create_payments',
      [wizard ?? 0],
      undefined,
      context,
    );
    const pushed = await pushPayments(deps);
    expect(pushed.results.find((r) => r.paymentId === action.res_id)?.outcome).toBe('pushed');
    expect(sim.payments).toEqual([
      expect.objectContaining({ client: invoice?.uuid, amount: (invoice?.totalKopecks ?? 0) / 100 }),
    ]);
    const again = await pushPayments(deps);
    expect(again.results.find((r) => r.paymentId === action.res_id)?.outcome).toBe('already pushed');
    expect(sim.payments).toHaveLength(1);
  });
});
