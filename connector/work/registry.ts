/**
 * Every kind of work, once. A new kind is a file in this folder (its input, command, job id, lock,
 * process and summary: see work.ts) and one line here; the CLI's commands, `enqueue`, the worker and
 * the RCP → Runs poller find it here.
 */
import { check } from './check.ts';
import { invoiceCorrections } from './invoice-corrections.ts';
import { invoice } from './invoice.ts';
import { paymentsPush } from './payments-push.ts';
import { paymentsResolve } from './payments-resolve.ts';
import { reconcile } from './reconcile.ts';
import { sync } from './sync.ts';
import type { AnyWork } from './work.ts';

export const WORK = {
  check,
  sync,
  invoice,
  'invoice-corrections': invoiceCorrections,
  'payments-push': paymentsPush,
  'payments-resolve': paymentsResolve,
  reconcile,
} as const satisfies Record<string, AnyWork>;

/** What a first word shared by several kinds' commands (`payments push`, `payments resolve`) says in --help. */
export const COMMAND_GROUPS: Readonly<Record<string, string>> = {
  payments: 'customer payments recorded in Odoo → RCP balances',
};

export type WorkName = keyof typeof WORK;

export function workNamed(name: string): AnyWork | undefined {
  return Object.hasOwn(WORK, name) ? WORK[name as WorkName] : undefined;
}

/** The kind of work a run requested in RCP → Runs asks for. */
export function workOfRun(kind: string): AnyWork | undefined {
  return Object.values(WORK).find((w: AnyWork) => w.runKind === kind);
}
