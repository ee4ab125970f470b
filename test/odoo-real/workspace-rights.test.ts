import { beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../connector/log.ts';
import type { OdooClient } from '../../connector/odoo/client.ts';
import { OdooError } from '../../connector/odoo/errors.ts';
import { externalIds } from '../../connector/odoo/external-ids.ts';
import {
  ACTION_CANCEL_RUN,
  ACTION_RESOLVE_PUSHED,
  GROUP_CONNECTOR,
} from '../../connector/workspace/definition.ts';
import { fullXmlid } from '../../connector/workspace/items.ts';
import { MARK_NAME } from '../../connector/workspace/payment-marks.ts';
import { writePaymentLedger } from '../../connector/workspace/payments-ledger.ts';
import { pollOnce } from '../../jobs/poller.ts';
import { USAGE_ATTACHMENT_PREFIX } from '../../mappings/invoice-values.ts';
import { realOdooFromEnv, realTitle } from '../support/real-odoo.ts';
import { type RealStack, connectAccountant, useRealStack } from '../support/real-stack.ts';

/**
 * The records of what the connector did are the connector's: an accountant (RCP / User + Billing),
 * through Odoo's API, cannot rewrite a run once a worker took it, nor create, change or delete a
 * ledger or usage record or the connector's marks on payments and invoices; she may request a run,
 * cancel one no worker took yet, settle a review with its button, and post notes and plan activities
 * on runs and ledger records (a database guard then refuses any change of them she tries); the connector (admin, or the
 * least-privileged user when ODOO_USER is one) still writes them all.
 */
const NASTY_NAME = 'ООО \u0000«Красный»\u001b[31m цвет\u001b[0m';

describe.skipIf(!realOdooFromEnv().odoo)(realTitle('who may write the RCP workspace'), () => {
  const stack = useRealStack(
    'rights',
    { today: '2024-06-01', clients: 4, partners: 1, ownShare: 0.5 },
    { workspace: true },
  );
  let s: RealStack;
  let accountant: OdooClient;
  let accountantId: number;
  let invoiceRun: number;
  /** The ledger record of the ledger test, in review: the chatter test posts on it. */
  let ledgerId: number;
  const tag = `${Date.now()}`;

  const refused = async (work: Promise<unknown>) => {
    const error = await work.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error, 'Odoo accepted a write it must refuse').toBeInstanceOf(OdooError);
    expect((error as OdooError).kind).toBe('access');
  };
  const actionId = async (name: string) =>
    (await externalIds(s.admin).resolve([fullXmlid(name)])).get(fullXmlid(name))?.id as number;
  const runAction = (client: OdooClient, action: number, model: string, id: number) =>
    client.callOn('ir.actions.server', 'run', [action], undefined, {
      active_model: model,
      active_id: id,
      active_ids: [id],
    });
  const poll = () =>
    pollOnce({
      deps: async () => s.deps,
      log: silentLogger,
      worker: 'rights-worker',
      pollSeconds: 1,
      staleSeconds: 900,
    });
  const readRun = async (id: number) =>
    (
      await s.admin.read<{ id: number; x_state: string; x_summary: string | false }>(
        'x_rcp_run',
        [id],
        ['x_state', 'x_summary'],
      )
    )[0];

  beforeAll(async () => {
    s = stack();
    const login = `rcp_rights_${tag}`;
    ({ id: accountantId, client: accountant } = await connectAccountant(s, {
      name: 'RCP accountant',
      login,
      password: `pw-${tag}-Rights`,
      email: `${login}@example.com`,
    }));
    // A client RCP names with a NUL and a terminal escape: synced clean, and the runs finish.
    s.sim.world.renameClient(0, NASTY_NAME);
    // The accountant requests a sync and the month's invoices; the worker (the connector) runs them.
    const [sync] = await accountant.create('x_rcp_run', [{ x_kind: 'sync' }]);
    expect(await poll()).toBe(sync);
    [invoiceRun] = (await accountant.create('x_rcp_run', [{ x_kind: 'invoice', x_period: '2024-05' }])) as [
      number,
    ];
    expect(await poll()).toBe(invoiceRun);
    expect((await readRun(invoiceRun))?.x_state).toBe('done');
    return async () => {
      await accountant?.close();
    };
  }, 900_000);

  it('the connector runs as a member of its group (the rules below are about everyone else)', async () => {
    const group = (await externalIds(s.admin).resolve([fullXmlid(GROUP_CONNECTOR)])).get(
      fullXmlid(GROUP_CONNECTOR),
    )?.id;
    const field = s.admin.capabilities.userGroupsField;
    const [me] = await s.admin.read<{ id: number } & Record<string, unknown>>(
      'res.users',
      [s.deps.odoo.uid],
      [field],
    );
    expect(me?.[field]).toContain(group);
    const [her] = await s.admin.read<{ id: number } & Record<string, unknown>>(
      'res.users',
      [accountantId],
      [field],
    );
    expect(her?.[field]).not.toContain(group);
  });

  it('a client named in RCP with a NUL and an ANSI sequence is synced without them, and both runs finished', async () => {
    const client = s.sim.world.client(0);
    const [partner] = await s.admin.searchRead<{ id: number; name: string }>(
      'res.partner',
      [['ref', '=', client.id]],
      ['name'],
    );
    expect(partner?.name).toBe('ООО «Красный» цвет');
    const [counterparty] = await s.admin.searchRead<{ id: number; x_name: string }>(
      'x_rcp_counterparty',
      [['x_rcp_id', '=', client.id]],
      ['x_name'],
    );
    expect(counterparty?.x_name).toBe('ООО «Красный» цвет');
    const runs = await s.admin.searchRead<{ id: number; x_state: string; x_failed_count: number }>(
      'x_rcp_run',
      [['id', '<=', invoiceRun]],
      ['x_state', 'x_failed_count'],
    );
    expect(runs.map((r) => [r.x_state, r.x_failed_count])).toEqual([
      ['done', 0],
      ['done', 0],
    ]);
  });

  it('a finished run cannot be rewritten, deleted or forged by an accountant', async () => {
    const before = await readRun(invoiceRun);
    await refused(accountant.write('x_rcp_run', [invoiceRun], { x_state: 'failed' }));
    await refused(accountant.write('x_rcp_run', [invoiceRun], { x_summary: 'tampered by accountant' }));
    await refused(accountant.write('x_rcp_run', [invoiceRun], { x_failed_count: 3, x_progress: 10 }));
    await refused(accountant.unlink('x_rcp_run', [invoiceRun]));
    // Nor made up: a run is created requested, or not at all.
    await refused(accountant.create('x_rcp_run', [{ x_kind: 'sync', x_state: 'done', x_summary: 'forged' }]));
    await refused(accountant.create('x_rcp_run', [{ x_kind: 'sync', x_state: 'running' }]));
    // Cancel is for a run no worker took: refused here (on 17 by the record rule, on 18/19 by the action).
    await expect(
      runAction(accountant, await actionId(ACTION_CANCEL_RUN), 'x_rcp_run', invoiceRun),
    ).rejects.toThrow();
    expect(await readRun(invoiceRun)).toEqual(before);
  });

  it('an accountant requests a run, may change it while it waits, and cancels it before a worker takes it', async () => {
    const [id] = (await accountant.create('x_rcp_run', [{ x_kind: 'invoice', x_period: '2024-05' }])) as [
      number,
    ];
    expect((await readRun(id))?.x_state).toBe('requested');
    await accountant.write('x_rcp_run', [id], { x_period: '2024-04' });
    // What it asks for is hers while it waits; what the connector reports is not, even now.
    await refused(accountant.write('x_rcp_run', [id], { x_state: 'done', x_summary: 'forged' }));
    await refused(accountant.write('x_rcp_run', [id], { x_progress: 100 }));
    expect(await readRun(id)).toMatchObject({ x_state: 'requested', x_summary: false });
    await runAction(accountant, await actionId(ACTION_CANCEL_RUN), 'x_rcp_run', id);
    const cancelled = await readRun(id);
    expect(cancelled?.x_state).toBe('failed');
    expect(cancelled?.x_summary).toMatch(/Cancelled by RCP accountant before a worker took it/);
    // Nothing is left for a worker.
    expect(await poll()).toBeUndefined();
  });

  it('usage records are the connector’s: an accountant cannot create, change or delete one; the connector can', async () => {
    const usage = await accountant.searchRead<{ id: number; x_amount: number; x_move_id: [number, string] }>(
      'x_rcp_usage',
      [['x_period', '=', '2024-05']],
      ['x_amount', 'x_move_id', 'x_name'],
    );
    expect(usage.length).toBeGreaterThan(0);
    const row = usage[0] as (typeof usage)[number];
    await refused(accountant.write('x_rcp_usage', [row.id], { x_amount: 1 }));
    await refused(accountant.unlink('x_rcp_usage', [row.id]));
    await refused(accountant.create('x_rcp_usage', [{ x_period: '2024-05', x_name: 'forged', x_amount: 5 }]));
    const [back] = await s.admin.read<{ id: number; x_amount: number }>(
      'x_rcp_usage',
      [row.id],
      ['x_amount'],
    );
    expect(back?.x_amount).toBe(row.x_amount);
    // The connector's user writes it (the value it holds, so the month stays exact).
    await s.deps.odoo.write('x_rcp_usage', [row.id], { x_amount: row.x_amount });
  });

  it('the usage detail on an invoice (the writer’s mark) is the connector’s; her own attachments are hers', async () => {
    const marks = await s.admin.searchRead<{ id: number; res_id: number; description: string | false }>(
      'ir.attachment',
      [
        ['res_model', '=', 'account.move'],
        ['name', '=like', `${USAGE_ATTACHMENT_PREFIX}%`],
      ],
      ['res_id', 'description'],
    );
    expect(marks.length).toBeGreaterThan(0);
    const mark = marks[0] as (typeof marks)[number];
    await refused(accountant.write('ir.attachment', [mark.id], { description: '{"fingerprint":"x"}' }));
    await refused(accountant.write('ir.attachment', [mark.id], { name: 'renamed.csv' }));
    await refused(accountant.unlink('ir.attachment', [mark.id]));
    await refused(
      accountant.create('ir.attachment', [
        {
          name: `${USAGE_ATTACHMENT_PREFIX}forged.csv`,
          res_model: 'account.move',
          res_id: mark.res_id,
          datas: Buffer.from('x').toString('base64'),
        },
      ]),
    );
    const [back] = await s.admin.read<{ id: number; description: string | false }>(
      'ir.attachment',
      [mark.id],
      ['description'],
    );
    expect(back?.description).toBe(mark.description);
    // Her own file on the same draft: created, renamed and deleted as before.
    const [own] = (await accountant.create('ir.attachment', [
      {
        name: 'signed-contract.pdf',
        res_model: 'account.move',
        res_id: mark.res_id,
        datas: Buffer.from('%PDF-1.4').toString('base64'),
      },
    ])) as [number];
    await accountant.write('ir.attachment', [own], { name: 'contract.pdf' });
    await accountant.unlink('ir.attachment', [own]);
  });

  it('the payments ledger and its marks on payments are the connector’s; an accountant settles a review with its button only', async () => {
    const connector = s.deps.odoo;
    const [partnerId] = (await s.admin.create('res.partner', [
      { name: `Rights payer ${tag}`, is_company: true },
    ])) as [number];
    const newPayment = async (amount: number) => {
      const [id] = await s.admin.create('account.payment', [
        { payment_type: 'inbound', partner_type: 'customer', partner_id: partnerId, amount },
      ]);
      return id as number;
    };
    const paymentId = await newPayment(1234.56);
    // The connector claims it through the ledger's action, which writes the payment's mark too.
    const [claim] = await writePaymentLedger(connector, [
      { op: 'claim', payment_id: paymentId, vals: { x_name: `payment ${paymentId}`, x_amount: 1234.56 } },
    ]);
    expect(claim).toMatchObject({ done: true, state: 'intent' });
    ledgerId = claim?.id as number;
    // The answer was lost: the connector says so through its action (which rewrites the mark), and
    // writes the record directly too (its group's rights).
    const [review] = await writePaymentLedger(connector, [
      { op: 'set', id: ledgerId, from: ['intent'], vals: { x_state: 'review', x_review: 'lost' } },
    ]);
    expect(review).toMatchObject({ done: true, state: 'review' });
    await connector.write('x_rcp_payment', [ledgerId], { x_reason: 'answer lost' });

    await refused(
      accountant.create('x_rcp_payment', [{ x_payment_id: await newPayment(1), x_state: 'pushed' }]),
    );
    await refused(accountant.write('x_rcp_payment', [ledgerId], { x_state: 'pushed' }));
    await refused(accountant.write('x_rcp_payment', [ledgerId], { x_amount: 1 }));
    await refused(accountant.write('x_rcp_payment', [ledgerId], { x_resolution: 'pushed' }));
    await refused(accountant.unlink('x_rcp_payment', [ledgerId]));

    const [mark] = await s.admin.searchRead<{ id: number; description: string | false }>(
      'ir.attachment',
      [
        ['res_model', '=', 'account.payment'],
        ['res_id', '=', paymentId],
        ['name', '=', MARK_NAME],
      ],
      ['description'],
    );
    expect(mark?.description).toMatch(/"state": "review"/);
    await refused(
      accountant.write('ir.attachment', [mark?.id as number], { description: '{"state": "not-pushed"}' }),
    );
    await refused(accountant.unlink('ir.attachment', [mark?.id as number]));
    const other = await newPayment(2);
    await refused(
      accountant.create('ir.attachment', [
        {
          name: MARK_NAME,
          res_model: 'account.payment',
          res_id: other,
          description: '{"state": "pushed"}',
          datas: Buffer.from('{}').toString('base64'),
        },
      ]),
    );

    // The button: "RCP has it" settles the lost answer, recorded with who.
    await runAction(accountant, await actionId(ACTION_RESOLVE_PUSHED), 'x_rcp_payment', ledgerId);
    const [settled] = await s.admin.read<{
      id: number;
      x_resolution: string;
      x_resolved_by: [number, string];
    }>('x_rcp_payment', [ledgerId], ['x_resolution', 'x_resolved_by']);
    expect(settled?.x_resolution).toBe('pushed');
    expect(settled?.x_resolved_by[0]).toBe(accountantId);
  });

  it('an accountant posts a note and plans an activity on a finished run and on a ledger record, and still changes neither, nor their links', async () => {
    const fields = {
      x_rcp_run: ['x_state', 'x_summary', 'x_progress', 'x_move_ids'],
      x_rcp_payment: ['x_state', 'x_resolution', 'x_amount', 'x_card_ids'],
    } as const;
    const ids = await externalIds(s.admin).resolve(['mail.mail_activity_data_todo']);
    const todo = ids.get('mail.mail_activity_data_todo')?.id as number;
    const [me] = await s.admin.read<{ id: number; partner_id: [number, string] }>(
      'res.users',
      [accountantId],
      ['partner_id'],
    );
    for (const [model, id] of [
      ['x_rcp_run', invoiceRun],
      ['x_rcp_payment', ledgerId],
    ] as const) {
      const before = await s.admin.read(model, [id], [...fields[model]]);
      const note = `Checked with the client ${tag} (${model})`;
      const messageId = await accountant.postNote(model, id, note);
      expect(messageId).toBeGreaterThan(0);
      const [modelId] = await s.admin.search('ir.model', [['model', '=', model]]);
      await accountant.create('mail.activity', [
        {
          res_model_id: modelId as number,
          res_id: id,
          activity_type_id: todo,
          summary: `Call the client ${tag}`,
          user_id: accountantId,
        },
      ]);
      // In the record's chatter, by her.
      const messages = await s.admin.searchRead<{ id: number; body: string; author_id: [number, string] }>(
        'mail.message',
        [
          ['model', '=', model],
          ['res_id', '=', id],
          ['id', '=', messageId],
        ],
        ['body', 'author_id'],
      );
      expect(messages[0]?.body).toContain(note);
      expect(messages[0]?.author_id[0]).toBe(me?.partner_id[0]);
      const activities = await s.admin.searchRead<{ id: number; summary: string }>(
        'mail.activity',
        [
          ['res_model', '=', model],
          ['res_id', '=', id],
        ],
        ['summary'],
      );
      expect(activities.map((a) => a.summary)).toContain(`Call the client ${tag}`);
      // The record is as it was.
      expect(await s.admin.read(model, [id], [...fields[model]])).toEqual(before);
    }
    // Posting gave her no way to change them: their fields, nor the invoices of a run or the cards of a payment.
    await refused(accountant.write('x_rcp_run', [invoiceRun], { x_summary: 'tampered after a note' }));
    await refused(accountant.write('x_rcp_payment', [ledgerId], { x_state: 'pushed', x_amount: 1 }));
    const [partnerId] = (await s.admin.create('res.partner', [
      { name: `Links ${tag}`, is_company: true },
    ])) as [number];
    const [otherMove] = (await s.admin.create('account.move', [
      { move_type: 'out_invoice', partner_id: partnerId },
    ])) as [number];
    await refused(accountant.write('x_rcp_run', [invoiceRun], { x_move_ids: [[4, otherMove]] }));
    const [card] = await s.admin.search('x_rcp_counterparty', [], { limit: 1 });
    await refused(accountant.write('x_rcp_payment', [ledgerId], { x_card_ids: [[4, card as number]] }));
    const [run] = await s.admin.read<{ id: number; x_move_ids: number[] }>(
      'x_rcp_run',
      [invoiceRun],
      ['x_move_ids'],
    );
    expect(run?.x_move_ids).not.toContain(otherMove);
    const [ledger] = await s.admin.read<{ id: number; x_card_ids: number[] }>(
      'x_rcp_payment',
      [ledgerId],
      ['x_card_ids'],
    );
    expect(ledger?.x_card_ids).not.toContain(card);
  });

  it('an accountant still deletes a draft invoice the connector made (its mark goes with it)', async () => {
    const [run] = await s.admin.read<{ id: number; x_move_ids: number[] }>(
      'x_rcp_run',
      [invoiceRun],
      ['x_move_ids'],
    );
    const moveId = run?.x_move_ids[0] as number;
    await accountant.unlink('account.move', [moveId]);
    expect(await s.admin.search('account.move', [['id', '=', moveId]])).toEqual([]);
  });
});
