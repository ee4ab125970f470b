import type { PushReport } from '../../connector/processes/push-payments.ts';
import type { ReconcileReport } from '../../connector/processes/reconcile.ts';
import type { SyncInput, SyncReport } from '../../connector/processes/sync.ts';
import type { Processes } from '../../jobs/processes.ts';

/** Fake processes by name, as the worker's tests write them (one that hangs, fails or counts). */
export interface NamedProcesses {
  sync?(input: SyncInput): Promise<SyncReport>;
  pushPayments?(): Promise<PushReport>;
  reconcile?(period: string): Promise<ReconcileReport>;
}

/** The worker's `run` of a kind of work, answered by the fake of that name. */
export function runByName(named: NamedProcesses): Processes['run'] {
  return async (work, input) => {
    const given = input as { period: string } & SyncInput;
    const fake =
      work.name === 'sync'
        ? named.sync?.(given)
        : work.name === 'payments-push'
          ? named.pushPayments?.()
          : work.name === 'reconcile'
            ? named.reconcile?.(given.period)
            : undefined;
    if (!fake) throw new Error(`no fake process for ${work.name}`);
    return fake as never;
  };
}
