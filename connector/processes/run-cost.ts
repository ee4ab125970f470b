import type { ProcessDeps } from '../deps.ts';

/** What a run cost, as its report says it: Odoo round trips, RCP requests, seconds (to a tenth). */
export interface RunCost {
  odooRoundTrips: number;
  rcpRequests: number;
  seconds: number;
}

/** Starts counting a run's cost now; the function returned says what it has cost so far. */
export function runCost(deps: Pick<ProcessDeps, 'odoo' | 'rcp'>): () => RunCost {
  const started = Date.now();
  const roundTrips = deps.odoo.stats.roundTrips;
  const requests = deps.rcp.stats.requests;
  return () => ({
    odooRoundTrips: deps.odoo.stats.roundTrips - roundTrips,
    rcpRequests: deps.rcp.stats.requests - requests,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  });
}
