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
  command: {
    words: ['payments', 'resolve'],
    description: 'settle a payment marked "needs review" after checking RCP by hand',
    args: [{ key: 'payment', name: 'payment', help: 'the Odoo payment (id or name)' }],
    flags: {
      '--pushed': { key: 'pushed', help: 'RCP did receive it: mark it pushed' },
      '--not-pushed': {
        key: 'pushed',
        sets: false,
        help: 'RCP did not receive it: allow the next push to send it',
      },
    },
    example: 'payments resolve PBNK1/2026/00001 --pushed',
  },
  run: async (deps, input) =>
    (await import('../processes/push-payments.ts')).resolvePayment(deps, input.payment, input.pushed),
  summary: (_record, input) =>
    input.pushed
      ? `Payment ${input.payment} is recorded as in RCP; it will not be sent.`
      : `Payment ${input.payment} is recorded as not in RCP; the next \`payments push\` sends it.`,
  json: (record, input) => ({ payment: input.payment, ledger: record }),
  failed: () => [],
};
