import { beforeAll, describe, expect, it } from 'vitest';
import { previousMonth } from '../../connector/cli/demo.ts';
import type { ProcessDeps } from '../../connector/processes/deps.ts';
import { invoicePeriod } from '../../connector/processes/invoice-period.ts';
import { pushPayments } from '../../connector/processes/push-payments.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import type { Simulator } from '../../connector/simulator/server.ts';
import { setupWorkspace } from '../../connector/workspace/setup.ts';
import { rcpCostKopecks, repricedKopecks } from '../support/expected.ts';
import { realOdooFromEnv, realTitle } from '../support/real-odoo.ts';
import { useRealStack } from '../support/real-stack.ts';

/**
 * Sync, invoices and payments against a real Odoo (see test/support/real-odoo.ts): a fresh
 * database for this file where odoo.sh is at hand, and a simulator seed of its own per run.
 */
describe.skipIf(!realOdooFromEnv().odoo)(realTitle('processes'), () => {
  const period = previousMonth();
  const stack = useRealStack('proc');
  let sim: Simulator;
  let deps: ProcessDeps;
  beforeAll(() => {
    ({ sim, deps } = stack());
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
    // The payments ledger (x_rcp_payment) is part of the workspace that `rcp-odoo setup` makes.
    await setupWorkspace(stack().admin, {
      dryRun: false,
      connectorLogin: stack().odoo.config.odoo?.user ?? 'admin',
      currency: 'RUB',
    });
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
