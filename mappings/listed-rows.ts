/**
 * Routine rows a run's report lists one by one (an invoice created or unchanged, a payment already
 * in RCP): past these they are only counted, so that a run over 100,000 clients neither holds a row
 * for each (some 300 bytes) nor prints lines nobody reads. Exceptions are always listed.
 */
export const LISTED_ROUTINE = 1_000;

/** What a report keeps of its rows besides the list: every row counted by outcome, and how many routine rows were left out. */
export interface RowCounts<O extends string> {
  outcomes: Partial<Record<O, number>>;
  unlisted?: number;
}

/**
 * Adds rows to `rows` for `report`: each counted in `outcomes`; listed when its outcome is not
 * `routine`, or among the first LISTED_ROUTINE routine ones; otherwise counted in `unlisted`.
 */
export function rowLister<O extends string, R extends { outcome: O }>(
  report: RowCounts<O>,
  rows: R[],
  routine: ReadonlySet<O>,
): (row: R) => void {
  let listed = 0;
  return (row) => {
    report.outcomes[row.outcome] = (report.outcomes[row.outcome] ?? 0) + 1;
    if (routine.has(row.outcome) && ++listed > LISTED_ROUTINE) report.unlisted = (report.unlisted ?? 0) + 1;
    else rows.push(row);
  };
}
