import { beforeAll, describe, expect, it } from 'vitest';
import type { OdooConfig } from '../../connector/config.ts';
import type { ProcessDeps } from '../../connector/deps.ts';
import { ConfigError } from '../../connector/errors.ts';
import { OdooClient } from '../../connector/odoo/client.ts';
import { externalIds } from '../../connector/odoo/external-ids.ts';
import { pushPayments } from '../../connector/processes/push-payments.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import { Secret } from '../../connector/secret.ts';
import { readPaymentLedger } from '../../connector/workspace/payments-ledger.ts';
import { setupWorkspace } from '../../connector/workspace/setup.ts';
import { xmlidOf } from '../../mappings/external-ids.ts';
import { companyOf, realOdooFromEnv, realTitle } from '../support/real-odoo.ts';
import { type RealStack, useRealStack } from '../support/real-stack.ts';

/**
 * Two Odoo companies on one database, a connector user of both: each company's run pushes its own
 * payments only (ODOO_COMPANY_ID, or the user's current company), and an accountant of company A
 * sees company A's ledger records and runs, not company B's. What RCP received is asserted from the
 * simulator's record.
 */
describe.skipIf(!realOdooFromEnv().odoo)(realTitle('two companies'), () => {
  const started = useRealStack('twoco', { clients: 6, partners: 2 });
  let s: RealStack;
  let companyA = 0;
  let companyB = 0;
  let clients: number[] = [];
  const tag = `${Date.now()}`;
  const closers: OdooClient[] = [];

  /** The connector as a run of `companyId` would have it (ODOO_COMPANY_ID). */
  const runOf = async (companyId: number | undefined): Promise<ProcessDeps> => {
    const odoo = await OdooClient.connect({ ...(s.odoo.config.odoo as OdooConfig), companyId });
    closers.push(odoo);
    return { ...s.deps, odoo };
  };

  beforeAll(async () => {
    s = started();
    companyA = await companyOf(s.admin);
    const rub = await s.admin.search('res.currency', [['name', '=', 'RUB']], {
      context: { active_test: false },
    });
    [companyB] = (await s.admin.create('res.company', [
      { name: `Company B ${tag}`, currency_id: rub[0] },
    ])) as [number];
    await s.admin.call({
      model: 'account.chart.template',
      method: 'try_loading',
      ids: [],
      params: [
        ['template_code', 'generic_coa'],
        ['company', companyB],
      ],
    });
    const users = await s.admin.search('res.users', [
      ['login', 'in', ['admin', s.odoo.config.odoo?.user ?? 'admin']],
    ]);
    await s.admin.write('res.users', users, {
      company_ids: [
        [4, companyA],
        [4, companyB],
      ],
    });
    await setupWorkspace(s.admin, {
      dryRun: false,
      connectorLogin: s.odoo.config.odoo?.user ?? 'admin',
      currency: 'RUB',
    });
    const run = await runOf(companyA);
    expect((await syncMasterData(run, { what: 'all' })).failed).toEqual([]);
    const uuids = Array.from({ length: 6 }, (_, i) => xmlidOf('client', s.sim.world.client(i).id));
    const found = await externalIds(run.odoo).resolve(uuids);
    clients = uuids.flatMap((x) => (found.get(x) ? [found.get(x)?.id as number] : []));
    expect(clients.length).toBeGreaterThanOrEqual(2);
    return async () => {
      await Promise.all(closers.map((c) => c.close()));
    };
  }, 600_000);

  const paymentIn = async (company: number, partnerId: number, amount: number): Promise<number> => {
    const context = { allowed_company_ids: [company] };
    const [journal] = await s.admin.search(
      'account.journal',
      [
        ['company_id', '=', company],
        ['type', '=', 'bank'],
      ],
      { limit: 1, context },
    );
    const [id] = await s.admin.create(
      'account.payment',
      [
        {
          payment_type: 'inbound',
          partner_type: 'customer',
          partner_id: partnerId,
          amount,
          journal_id: journal,
        },
      ],
      context,
    );
    await s.admin.callOn('account.payment', 'action_post', [id ?? 0], undefined, context);
    return id ?? 0;
  };
  const received = (id: number) => s.sim.payments.filter((p) => p.details.endsWith(`#${id}`));

  it("company A's run (ODOO_COMPANY_ID, or the user's company) pushes A's payments only; B's run pushes B's; each reaches RCP once", async () => {
    const inA = await paymentIn(companyA, clients[0] ?? 0, 1234.56);
    const inB = await paymentIn(companyB, clients[1] ?? 0, 6543.21);
    const [row] = await s.admin.read<{ id: number; company_id: [number, string] }>(
      'account.payment',
      [inB],
      ['company_id'],
    );
    expect(row?.company_id[0]).toBe(companyB);

    const runA = await runOf(companyA);
    const reportA = await pushPayments(runA);
    expect(reportA.results.map((r) => r.paymentId)).toContain(inA);
    expect(reportA.results.map((r) => r.paymentId)).not.toContain(inB);
    expect(received(inA)).toHaveLength(1);
    expect(received(inB)).toHaveLength(0);
    // The user's current company (A) when ODOO_COMPANY_ID is not set: the same.
    const byDefault = await pushPayments(await runOf(undefined));
    expect(byDefault.results.map((r) => r.paymentId)).not.toContain(inB);
    expect(received(inB)).toHaveLength(0);
    // A's run reads A's ledger only.
    expect([...(await readPaymentLedger(runA.odoo)).keys()]).toEqual([inA]);

    const reportB = await pushPayments(await runOf(companyB));
    expect(reportB.results.find((r) => r.paymentId === inB)?.outcome).toBe('pushed');
    expect(reportB.results.map((r) => r.paymentId)).not.toContain(inA);
    expect(received(inA)).toHaveLength(1);
    expect(received(inB)).toHaveLength(1);
    expect([...(await readPaymentLedger(runA.odoo)).keys()]).toEqual([inA]);
  }, 300_000);

  it("an accountant of company A sees A's ledger record, not B's; a company the user does not have is refused at start (exit 2)", async () => {
    const groups = await externalIds(s.admin).resolve([
      'rcp_connector.group_user',
      'account.group_account_invoice',
      'base.group_user',
    ]);
    const login = `rcp_accountant_a_${tag}`;
    const password = `pw-${tag}-A`;
    await s.admin.create('res.users', [
      {
        name: 'Accountant of A',
        login,
        password,
        company_id: companyA,
        company_ids: [[6, 0, [companyA]]],
        [s.admin.capabilities.userGroupsField]: [[6, 0, [...groups.values()].map((g) => g.id)]],
      },
    ]);
    const accountant = await OdooClient.connect({
      ...s.odoo.admin,
      user: login,
      secret: { kind: 'password', value: new Secret(password) },
    });
    closers.push(accountant);
    const seen = await accountant.searchRead<{ id: number; x_company_id: [number, string] | false }>(
      'x_rcp_payment',
      [],
      ['x_company_id'],
    );
    const all = await s.admin.searchRead<{ id: number; x_company_id: [number, string] | false }>(
      'x_rcp_payment',
      [],
      ['x_company_id'],
      { context: { allowed_company_ids: [companyA, companyB] } },
    );
    expect(all.map((r) => (r.x_company_id ? r.x_company_id[0] : 0)).sort()).toEqual(
      [companyA, companyB].sort(),
    );
    expect(seen.map((r) => (r.x_company_id ? r.x_company_id[0] : 0))).toEqual([companyA]);

    await expect(runOf(987_654)).rejects.toThrow(ConfigError);
  }, 300_000);
});
