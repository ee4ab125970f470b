/**
 * Every kind of work, once. A new kind is a file in this folder (its input, job id, lock, process and
 * summary: see work.ts) and one line here; the CLI's `runWork`, `enqueue`, the worker and the
 * RCP → Runs poller find it here.
 */
import { invoiceCorrections } from './invoice-corrections.ts';
import { invoice } from './invoice.ts';
import { paymentsPush } from './payments-push.ts';
import { paymentsResolve } from './payments-resolve.ts';
import { reconcile } from './reconcile.ts';
import { sync } from './sync.ts';
import type { AnyWork } from './work.ts';

export const WORK = {
  sync,
  invoice,
  'invoice-corrections': invoiceCorrections,
  'payments-push': paymentsPush,
  'payments-resolve': paymentsResolve,
  reconcile,
} as const satisfies Record<string, AnyWork>;

export type WorkName = keyof typeof WORK;

export function workNamed(name: string): AnyWork | undefined {
  return Object.hasOwn(WORK, name) ? WORK[name as WorkName] : undefined;
}

/** The kind of work a run requested in RCP → Runs asks for. */
export function workOfRun(kind: string): AnyWork | undefined {
  return Object.values(WORK).find((w: AnyWork) => w.runKind === kind);
}
