/**
 * What reached RCP, kept on the payment itself, where removing the workspace cannot take it: an
 * `rcp-push.json` attachment on each `account.payment` the connector ever claimed (the format of the
 * ledger before the workspace, which `payments push` imports into `x_rcp_payment` when the ledger
 * lacks the payment). The mark carries every RCP call of the payment as the ledger's `x_sends` has it
 * (card, amount, state, RCP payment id), so a payment sent to two cards is rebuilt as those two sends;
 * a mark of before (one target, one amount) is read as one send. The ledger's server action writes
 * the mark in the same transaction as every change of a ledger record, and refuses to claim a payment whose mark says it was (or may have
 * been) sent; so after `setup --remove --confirm` and `setup` the next push rebuilds the ledger from
 * the marks and sends nothing again. Only `setup --remove --confirm --forget NAME` drops a mark.
 */
import { z } from 'zod';
import { toKopecks } from '../../mappings/money.ts';
import { ConfigError } from '../errors.ts';
import type { OdooClient } from '../odoo/client.ts';

export const MARK_NAME = 'rcp-push.json';

const MarkStates = {
  intent: 'intent',
  pushed: 'pushed',
  review: 'review',
  not_pushed: 'not-pushed',
} as const;

export interface MarkValues {
  state: keyof typeof MarkStates;
  target: string;
  amountKopecks: number;
  details: string;
  pushedAt: string | undefined;
  rcpReference: string | undefined;
  /** The ledger's `x_sends` as stored: every RCP call of the payment (one shape, the ledger's). */
  sendsText: string | false;
}

/** The mark's JSON, as the ledger's server action writes it (`odoo/actions/action_payment_ledger.py`) (`sends` is the ledger's `x_sends`, unchanged). */
export function markJson(mark: MarkValues): string {
  const head = JSON.stringify({
    state: MarkStates[mark.state],
    target: mark.target,
    amountKopecks: mark.amountKopecks,
    details: mark.details,
    at: mark.pushedAt ? `${mark.pushedAt.replace(' ', 'T')}Z` : '',
    rcpPaymentId: mark.rcpReference ?? '',
  }).replaceAll('":', '": ');
  return `${head.slice(0, -1)}, "sends": ${mark.sendsText || '[]'}}`;
}

const many2one = z.union([z.tuple([z.number().int(), z.string()]), z.literal(false)]);
const text = z.union([z.string(), z.literal(false)]);
const LedgerRow = z.object({
  id: z.number().int(),
  x_payment_id: many2one,
  x_state: z.enum(['intent', 'pushed', 'review', 'not_pushed']),
  x_amount: z.number(),
  x_target: text,
  x_details: text,
  x_pushed_at: text,
  x_rcp_reference: text,
  x_sends: text,
});

/** Payment ids that carry a mark. */
export async function markedPayments(odoo: OdooClient, paymentIds?: readonly number[]): Promise<Set<number>> {
  const domain: unknown[] = [
    ['res_model', '=', 'account.payment'],
    ['name', '=', MARK_NAME],
  ];
  if (paymentIds) domain.push(['res_id', 'in', [...paymentIds]]);
  const found = new Set<number>();
  for await (const page of odoo.searchReadPages<{ id: number; res_id: number }>('ir.attachment', domain, [
    'res_id',
  ]))
    for (const row of page) found.add(row.res_id);
  return found;
}

/**
 * Before the workspace goes (`setup --remove`, as an admin): every ledger record whose payment has
 * no mark yet (a ledger written before marks existed) gets one now. Answers how many payments carry
 * a mark afterwards and how many were made here.
 */
export async function markLedger(admin: OdooClient): Promise<{ marked: number; made: number }> {
  const rows: Array<z.infer<typeof LedgerRow>> = [];
  for await (const page of admin.searchReadPages('x_rcp_payment', [], Object.keys(LedgerRow.shape)))
    for (const raw of page) rows.push(LedgerRow.parse(raw));
  const ids = rows.flatMap((r) => (r.x_payment_id ? [r.x_payment_id[0]] : []));
  const marked = await markedPayments(admin, ids);
  const missing = rows.filter((r) => r.x_payment_id && !marked.has(r.x_payment_id[0]));
  if (missing.length > 0) {
    await admin.create(
      'ir.attachment',
      missing.map((r) => {
        const description = markJson({
          state: r.x_state,
          target: r.x_target || '',
          amountKopecks: toKopecks(r.x_amount),
          details: r.x_details || '',
          pushedAt: r.x_pushed_at || undefined,
          rcpReference: r.x_rcp_reference || undefined,
          sendsText: r.x_sends,
        });
        return {
          name: MARK_NAME,
          res_model: 'account.payment',
          res_id: r.x_payment_id ? r.x_payment_id[0] : 0,
          type: 'binary',
          mimetype: 'application/json',
          description,
          datas: Buffer.from(description).toString('base64'),
        };
      }),
    );
  }
  return { marked: new Set(ids).size, made: missing.length };
}

/**
 * The marks of the payments named (by their Odoo name, e.g. PBNK1/2026/00001), dropped: the next
 * workspace may send them again. Refuses, before dropping any, a name that is no payment or whose
 * payment carries no mark.
 */
export async function forgetMarks(admin: OdooClient, names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const payments = await admin.searchRead<{ id: number; name: string }>(
    'account.payment',
    [['name', 'in', [...names]]],
    ['name'],
  );
  const unknown = names.filter((n) => !payments.some((p) => p.name === n));
  const marks = await admin.searchRead<{ id: number; res_id: number }>(
    'ir.attachment',
    [
      ['res_model', '=', 'account.payment'],
      ['name', '=', MARK_NAME],
      ['res_id', 'in', payments.map((p) => p.id)],
    ],
    ['res_id'],
  );
  const unmarked = payments.filter((p) => !marks.some((m) => m.res_id === p.id)).map((p) => p.name);
  if (unknown.length > 0 || unmarked.length > 0) {
    throw new ConfigError([
      ...unknown.map(
        (n) => `--forget ${n}: Odoo has no payment of that name (give its name, e.g. PBNK1/2026/00001)`,
      ),
      ...unmarked.map(
        (n) => `--forget ${n}: nothing records that payment ${n} reached RCP; nothing to forget`,
      ),
    ]);
  }
  await admin.unlink(
    'ir.attachment',
    marks.map((m) => m.id),
  );
  return payments.map((p) => p.name);
}
