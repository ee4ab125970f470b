import type { FailedRecord } from '../odoo/upsert.ts';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * A run's failures with each counterparty named once, with every reason: the records that name
 * the same RCP id (`partner <uuid>` from its broken record, `partner Name (<uuid>)` from its held
 * invoice) or the same words become one, under the fuller name, their reasons joined.
 */
export function mergeFailures(failed: readonly FailedRecord[]): FailedRecord[] {
  const merged = new Map<string, FailedRecord & { reasons: string[] }>();
  for (const failure of failed) {
    const ids = [...new Set(failure.record.match(UUID)?.map((id) => id.toLowerCase()) ?? [])];
    const key = ids.length === 1 ? `id:${ids[0]}` : `record:${failure.record}`;
    const entry = merged.get(key);
    if (!entry) {
      merged.set(key, { ...failure, reasons: [failure.error] });
      continue;
    }
    if (failure.record.length > entry.record.length) entry.record = failure.record;
    if (!entry.reasons.includes(failure.error)) entry.reasons.push(failure.error);
  }
  return [...merged.values()].map(({ reasons, ...failure }) => ({ ...failure, error: reasons.join('; ') }));
}
