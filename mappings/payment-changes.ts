/**
 * What changed in an Odoo payment since it was pushed to RCP: the ledger keeps the payment as it
 * was pushed (amount, company, date, state, currency), and any difference is a review for the
 * accountant, said in words ("amount 2,222.22 → 3,000.00"). Pure: no I/O.
 */

/** A payment as the connector saw it: at its push (the ledger) or now (Odoo). */
export interface PaymentAsSeen {
  amountKopecks: number;
  partner: readonly [number, string] | undefined;
  date: string | undefined;
  state: string | undefined;
  currency: readonly [number, string] | undefined;
}

/** `2,222.22`: the amount in the ledger's English reasons. */
export function formatAmount(kopecks: number): string {
  const sign = kopecks < 0 ? '-' : '';
  const abs = Math.abs(kopecks);
  const units = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${units}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * The differences between the payment as pushed and as it is now, one phrase each, in a fixed
 * order. States count as different only when one is done (posted, paid, in process) and the other
 * is not: a payment going from "in process" to "paid" when its bank line is matched is no edit.
 */
export function changesSincePush(
  pushed: PaymentAsSeen,
  now: PaymentAsSeen,
  doneStates: readonly string[],
): string[] {
  const changes: string[] = [];
  if (pushed.amountKopecks !== now.amountKopecks) {
    changes.push(`amount ${formatAmount(pushed.amountKopecks)} → ${formatAmount(now.amountKopecks)}`);
  }
  if (pushed.partner && pushed.partner[0] !== now.partner?.[0]) {
    changes.push(`partner ${pushed.partner[1]} → ${now.partner?.[1] ?? '(none)'}`);
  }
  if (pushed.date && pushed.date !== now.date) changes.push(`date ${pushed.date} → ${now.date ?? '(none)'}`);
  const wasDone = pushed.state === undefined || doneStates.includes(pushed.state);
  const isDone = now.state !== undefined && doneStates.includes(now.state);
  if (wasDone !== isDone) changes.push(`state ${pushed.state ?? 'posted'} → ${now.state ?? '(deleted)'}`);
  if (pushed.currency && now.currency && pushed.currency[0] !== now.currency[0]) {
    changes.push(`currency ${pushed.currency[1]} → ${now.currency[1]}`);
  }
  return changes;
}
