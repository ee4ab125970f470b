import { z } from 'zod';
import { formatRubles, toKopecks } from '../../mappings/money.ts';
/**
 * Whether RCP's answer to a payment is a receipt. RCP answers 200 to what it did not do (a payment
 * `failed`), and an answer can be odd in ways that mean the money went elsewhere or in another
 * amount: a payment counts as sent only when the answer says so exactly. Anything else is a
 * refusal (RCP said `failed`: nothing credited, sent again only by the accountant's choice) or goes
 * to review, in RCP's own words (quoted, never the whole payload).
 */
import { withoutControlsDeep } from '../../mappings/safe-text.ts';
import type { ProcessDeps } from '../deps.ts';

export type ReceiptVerdict =
  /** Sent: RCP's receipt id (none for a partner's top-up, whose answer is the partner). */
  | { kind: 'receipt'; rcpId: string | undefined }
  /** RCP refused it (status failed): its `error_reason`. */
  | { kind: 'refused'; reason: string }
  /** Not a receipt: what is wrong with it, quoting RCP. */
  | { kind: 'review'; words: string };

const Answer = z
  .object({
    id: z.unknown(),
    status: z.unknown(),
    error_reason: z.unknown(),
    amount: z.unknown(),
    client: z.unknown(),
  })
  .partial()
  .passthrough();

/** RCP's words, quoted and cut short: an answer is never copied whole into a reason. */
const quote = (value: unknown): string => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `«${(text ?? 'nothing').slice(0, 120)}»`;
};

const idOf = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'id' in value && typeof value.id === 'string') return value.id;
  return undefined;
};

function refusalOf(answer: z.infer<typeof Answer>): ReceiptVerdict | undefined {
  if (answer.status !== 'failed') return undefined;
  const reason = typeof answer.error_reason === 'string' && answer.error_reason ? answer.error_reason : '';
  return {
    kind: 'refused',
    reason: `RCP answered status «failed»${reason ? ` with error_reason ${quote(reason)}` : ' without an error_reason'}`,
  };
}

/** The answer to `POST /payment/bank_payment` of `sent`. */
export function clientReceiptVerdict(
  raw: unknown,
  sent: { client: string; amountKopecks: number },
): ReceiptVerdict {
  // RCP's text goes into the ledger's reason and reference: without control characters (a NUL fails the write).
  const body = withoutControlsDeep(raw);
  const parsed = Answer.safeParse(body);
  if (!parsed.success) return { kind: 'review', words: `RCP answered ${quote(body)}, not a payment` };
  const answer = parsed.data;
  const refused = refusalOf(answer);
  if (refused) return refused;
  const problems: string[] = [];
  const id = typeof answer.id === 'string' && answer.id.trim() ? answer.id : undefined;
  if (!id) problems.push(`no id (id ${quote(answer.id ?? null)})`);
  if (answer.status !== 'succeeded') problems.push(`status ${quote(answer.status ?? null)}, not «succeeded»`);
  const client = idOf(answer.client);
  if (client?.toLowerCase() !== sent.client.toLowerCase())
    problems.push(`client ${quote(client ?? null)} where ${sent.client} was sent`);
  const amount =
    typeof answer.amount === 'number' && Number.isFinite(answer.amount)
      ? toKopecks(answer.amount)
      : undefined;
  if (amount !== sent.amountKopecks)
    problems.push(
      `amount ${amount === undefined ? quote(answer.amount ?? null) : formatRubles(amount)} where ${formatRubles(sent.amountKopecks)} was sent`,
    );
  if (problems.length > 0) {
    const reason =
      typeof answer.error_reason === 'string' && answer.error_reason
        ? `; error_reason ${quote(answer.error_reason)}`
        : '';
    return { kind: 'review', words: `RCP's answer is not a receipt: ${problems.join('; ')}${reason}` };
  }
  return { kind: 'receipt', rcpId: id };
}

/** The answer to `PATCH /partner/{id}/balance` (RCP answers the partner). */
export function partnerReceiptVerdict(raw: unknown, sent: { partner: string }): ReceiptVerdict {
  // RCP's text goes into the ledger's reason and reference: without control characters (a NUL fails the write).
  const body = withoutControlsDeep(raw);
  const parsed = Answer.safeParse(body);
  if (!parsed.success) return { kind: 'review', words: `RCP answered ${quote(body)}, not the partner` };
  const answer = parsed.data;
  const refused = refusalOf(answer);
  if (refused) return refused;
  const problems: string[] = [];
  const id = typeof answer.id === 'string' ? answer.id : undefined;
  if (id?.toLowerCase() !== sent.partner.toLowerCase())
    problems.push(`partner ${quote(answer.id ?? null)} where ${sent.partner} was topped up`);
  if (answer.status !== undefined && answer.status !== 'succeeded')
    problems.push(`status ${quote(answer.status)}`);
  if (problems.length > 0)
    return { kind: 'review', words: `RCP's answer to the top-up is not the partner: ${problems.join('; ')}` };
  return { kind: 'receipt', rcpId: undefined };
}

/**
 * Where the accountant looks in RCP for a payment whose outcome is unknown: a client payment by the
 * `details` it carried; a partner's top-up (whose PATCH carries only an amount) by its amount.
 */
export function whereToCheck(target: string, details: string, amountKopecks: number): string {
  const [kind, uuid] = target.split(':');
  return kind === 'partner'
    ? `check partner ${uuid}'s balance corrections in RCP for ${formatRubles(amountKopecks)}`
    : `check RCP for "${details}"`;
}

/** Sends one payment to the RCP balance it credits and judges the answer. Not idempotent. */
export async function sendPayment(
  deps: ProcessDeps,
  target: { kind: 'client' | 'partner'; uuid: string },
  amountKopecks: number,
  details: string,
): Promise<ReceiptVerdict> {
  if (target.kind === 'client') {
    const body = await deps.rcp.sendBankPayment({ client: target.uuid, amountKopecks, details });
    return clientReceiptVerdict(body, { client: target.uuid, amountKopecks });
  }
  return partnerReceiptVerdict(await deps.rcp.sendPartnerBalance(target.uuid, amountKopecks), {
    partner: target.uuid,
  });
}
