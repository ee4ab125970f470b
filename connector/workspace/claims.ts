import { z } from 'zod';
import type { ClaimHolder } from '../deps.ts';
import type { OdooClient } from '../odoo/client.ts';
import { OdooError } from '../odoo/errors.ts';
import { runWorkspaceAction } from './actions.ts';
/**
 * Exactly-once guards that live in Odoo, where every runner (CLI, workers, with or without Redis)
 * meets. Each call is one server action made by setup, run in ONE Odoo transaction that checks and
 * writes; a concurrent second claimer is refused by the database (a unique index) or by Odoo's own
 * retry of a serialization failure, which then sees the winner.
 *
 * `claimKeys` / `releaseKeys`: leases on keys (e.g. `invoice:2026-10:client:<uuid>`), many at once,
 * with their holder (run, queue job, worker, host, pid) and a short lease the holder's heartbeat
 * renews; a claim whose heartbeat stopped, or whose queue job another worker took over, is taken
 * over at once by the claimer that finds it.
 *
 * Needs the connector group (given to ODOO_USER by setup).
 */
import { ACTION_CLAIM_KEYS, ACTION_RELEASE_KEYS } from './definition.ts';
import { uniqueIndexName } from './models.ts';

/** A refusal by the unique index: the other claimer's transaction won. */
function isUniqueRefusal(error: unknown, model: string, field: string): boolean {
  return (
    error instanceof OdooError &&
    error.kind === 'validation' &&
    error.serverMessage.includes(uniqueIndexName(model, field))
  );
}

const Refusal = z.object({
  key: z.string(),
  owner: z.string(),
  run: z.union([z.string(), z.literal(false)]).optional(),
  job: z.union([z.string(), z.literal(false)]).optional(),
  worker: z.union([z.string(), z.literal(false)]).optional(),
  host: z.union([z.string(), z.literal(false)]).optional(),
  pid: z.number().int().optional(),
  heartbeat_at: z.string().optional(),
  expires_at: z.string().optional(),
});

const KeysClaimAnswer = z.object({
  claimed: z.array(z.string()),
  refused: z.array(Refusal),
  // Older workspaces (before setup made the holder fields) answer without these.
  taken_over: z
    .array(z.object({ key: z.string(), owner: z.string(), why: z.enum(['lease', 'job']) }))
    .default([]),
  lost: z.array(z.string()).default([]),
});

export type KeysClaim = z.infer<typeof KeysClaimAnswer>;

/**
 * Claims many keys for `owner` in one call, for a lease of `leaseSeconds` renewed by the owner's
 * heartbeat (`renew`): each is granted when free, its lease run out, already the owner's, or held
 * for the same queue job by another owner; refused while another owner's lease lives. With `renew`
 * only the owner's keys are renewed, the others answered `lost`. When a concurrent claimer created
 * one of the keys at the same moment (the unique index refuses the whole call), asks again: it then
 * sees the winner.
 */
export async function claimKeys(
  odoo: OdooClient,
  keys: readonly string[],
  owner: string,
  leaseSeconds: number,
  options: { holder?: ClaimHolder; renew?: boolean } = {},
): Promise<KeysClaim> {
  if (keys.length === 0) return { claimed: [], refused: [], taken_over: [], lost: [] };
  for (let attempt = 1; ; attempt++) {
    try {
      return KeysClaimAnswer.parse(
        await runWorkspaceAction(odoo, ACTION_CLAIM_KEYS, 'x_rcp_lock', {
          rcp_lock: {
            keys,
            owner,
            ttl_seconds: Math.ceil(leaseSeconds),
            ...(options.holder ? { holder: options.holder } : {}),
            ...(options.renew ? { renew: true } : {}),
          },
        }),
      );
    } catch (error) {
      if (attempt >= 3 || !isUniqueRefusal(error, 'x_rcp_lock', 'x_key')) throw error;
    }
  }
}

/** The holder of a refused claim, in words: `run 12, job …, worker@host pid 123, heartbeat …`. */
export function describeHolder(refusal: z.infer<typeof Refusal>): string {
  const parts = [
    refusal.run ? `run ${refusal.run}` : undefined,
    refusal.job ? `job ${refusal.job}` : undefined,
    refusal.worker || refusal.host
      ? `${refusal.worker || 'a runner'}${refusal.host ? ` on ${refusal.host}` : ''}${refusal.pid ? ` pid ${refusal.pid}` : ''}`
      : refusal.owner,
    refusal.heartbeat_at ? `last heartbeat ${refusal.heartbeat_at} UTC` : undefined,
  ];
  return parts.filter(Boolean).join(', ');
}

/** Gives back those of `keys` that `owner` holds; answers how many it did. */
export async function releaseKeys(odoo: OdooClient, keys: readonly string[], owner: string): Promise<number> {
  if (keys.length === 0) return 0;
  const answer = z
    .object({ released: z.number() })
    .parse(await runWorkspaceAction(odoo, ACTION_RELEASE_KEYS, 'x_rcp_lock', { rcp_lock: { keys, owner } }));
  return answer.released;
}
