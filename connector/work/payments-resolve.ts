import { z } from 'zod';
import type { LedgerRecord } from '../workspace/payments-ledger.ts';
import type { Work } from './work.ts';

const ResolveInput = z.object({
  /** The Odoo payment, by id or name. */
  payment: z.string().min(1),
  /** RCP did receive it (true) or did not (false). */
  pushed: z.boolean(),
});

/** A payment marked "needs review", settled by hand after checking RCP. */
export const paymentsResolve: Work<z.infer<typeof ResolveInput>, LedgerRecord> = {
  name: 'payments-resolve',
  input: ResolveInput,
  run: async (deps, input) =>
    (await import('../processes/push-payments.ts')).resolvePayment(deps, input.payment, input.pushed),
  summary: (_record, input) =>
    input.pushed
      ? `Payment ${input.payment} is recorded as in RCP; it will not be sent.`
      : `Payment ${input.payment} is recorded as not in RCP; the next \`payments push\` sends it.`,
  json: (record, input) => ({ payment: input.payment, ledger: record }),
  failed: () => [],
};
