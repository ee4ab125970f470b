import { z } from 'zod';
import { prng } from './data.ts';

/**
 * Wrong answers to a payment (`POST /payment/bank_payment`, `PATCH /partner/{id}/balance`):
 * `no-id`: 200 without an `id` (the money is credited); `failed`: 200 with `status: failed` and an
 * `error_reason` (nothing credited); `amount-x10`: a receipt whose `amount` is ten times what was
 * sent (what was sent is credited); `other-client`: a receipt naming another client (or partner).
 */
export const ReceiptFault = z.enum(['no-id', 'failed', 'amount-x10', 'other-client']);
export type ReceiptFault = z.infer<typeof ReceiptFault>;

/**
 * Faults the simulator can inject, switchable per run (options) and over HTTP (`PUT /_sim/faults`).
 * Rates are shares of requests (0…1) and are drawn from a seeded generator, so a run repeats.
 * `script` holds one-shot faults, used in order by the next matching requests: tests use it to
 * say exactly what happens ("503 once, then fine").
 */
export const ScriptedFault = z.object({
  /** Only requests whose path starts with this (after /v1); default any API request. */
  path: z.string().optional(),
  method: z.string().optional(),
  /** Answer with this status (and RCP's error body) instead of serving. */
  status: z.number().int().optional(),
  retryAfterSeconds: z.number().nonnegative().optional(),
  /** Close the connection without an answer: `before` serving, or `after` (the write happened, the answer is lost). */
  drop: z.enum(['before', 'after']).optional(),
  /** Corrupt this many items of the answer. */
  malformed: z.number().int().positive().optional(),
  /** Delay this answer by this many milliseconds. */
  delayMs: z.number().int().nonnegative().optional(),
  /** A payment's answer that is not a receipt (see `ReceiptFault`). */
  receipt: ReceiptFault.optional(),
});
export type ScriptedFault = z.infer<typeof ScriptedFault>;

/**
 * A lasting fault on one record, for what RCP's data itself can get wrong (it stays until the
 * faults are replaced): `id` is a client's id (usage, contract, id case) or a billing plan's id (prices).
 */
export const RecordFault = z.object({
  id: z.string().min(1),
  fault: z.enum([
    /** The client's first usage row has `quantity: null`. */
    'usage-malformed',
    /** The client's first usage row is dated a day that does not exist (`2024-05-32`). */
    'usage-bad-date',
    /** The client's first usage row costs minus what it should. */
    'usage-negative-cost',
    /** The client's first usage row costs 165 billion. */
    'usage-huge-cost',
    /** The client's usage answers 503, every time. */
    'usage-unreadable',
    /** The client's contract comes without its billing plan. */
    'contract-unreadable',
    /** The client is listed with its uuid in upper case. */
    'id-upper-case',
    /** The plan's first price has its cost as a string. */
    'price-malformed',
    /** The client is listed with `partner.id` "42" (not a uuid). */
    'partner-id-not-uuid',
    /** The client is listed with its `id` "42" (not a uuid). */
    'id-not-uuid',
    /** The client's first usage row claims 30 times its `paid_seconds` (quantity and cost unchanged). */
    'usage-implausible-seconds',
  ]),
});
export type RecordFault = z.infer<typeof RecordFault>;

/** Requests under a path that fail every time (a price list answering 429 with a long Retry-After, or 503). */
export const FailingPath = z.object({
  path: z.string().min(1),
  status: z.number().int(),
  retryAfterSeconds: z.number().nonnegative().optional(),
});
export type FailingPath = z.infer<typeof FailingPath>;

/**
 * A lasting fault on a list endpoint (`/client`, `/partner`): what a buggy RCP or a proxy in front
 * of it can do to the pages of a list.
 */
export const ListFault = z.object({
  path: z.enum(['/client', '/partner']),
  fault: z.enum([
    /** Each page says a `total` one less than the page before (page 1 is true). */
    'total-shrinks',
    /** Page 2 answers `items: []` with the true `total`. */
    'page-without-items',
    /** Page 1 carries `padding` of `bytes` characters beside its items. */
    'oversized-page',
  ]),
  /** For `oversized-page`; default 50 MB. */
  bytes: z.number().int().positive().optional(),
});
export type ListFault = z.infer<typeof ListFault>;

export const Faults = z.object({
  latencyMs: z.number().int().nonnegative().default(0),
  errorRate: z.number().min(0).max(1).default(0),
  rateLimitRate: z.number().min(0).max(1).default(0),
  retryAfterSeconds: z.number().nonnegative().default(1),
  dropRate: z.number().min(0).max(1).default(0),
  malformedRate: z.number().min(0).max(1).default(0),
  /** Lifetime of tokens issued by `POST /auth/token`, overriding the `ttl` asked for. */
  tokenTtlSeconds: z.number().positive().optional(),
  /** New clients registered (at the head of the list) on each client page served. */
  growDuringPaging: z.number().int().nonnegative().default(0),
  script: z.array(ScriptedFault).default([]),
  records: z.array(RecordFault).default([]),
  lists: z.array(ListFault).default([]),
  failing: z.array(FailingPath).default([]),
});
export type Faults = z.infer<typeof Faults>;

export interface FaultDecision {
  status?: number;
  retryAfterSeconds?: number;
  drop?: 'before' | 'after';
  malformed: number;
  delayMs: number;
  receipt?: ReceiptFault;
}

export class FaultPlan {
  faults: Faults;
  readonly #random: () => number;

  constructor(faults: Partial<Faults> = {}, seed = 1) {
    this.faults = Faults.parse(faults);
    this.#random = prng(seed ^ 0x5eed);
  }

  update(patch: unknown): Faults {
    this.faults = Faults.parse({ ...this.faults, ...Faults.partial().parse(patch) });
    return this.faults;
  }

  /** What goes wrong with this request, if anything. */
  decide(method: string, path: string): FaultDecision {
    const index = this.faults.script.findIndex(
      (fault) => (!fault.path || path.startsWith(fault.path)) && (!fault.method || fault.method === method),
    );
    if (index >= 0) {
      const [fault] = this.faults.script.splice(index, 1) as [ScriptedFault];
      return {
        ...(fault.status === undefined ? {} : { status: fault.status }),
        ...(fault.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: fault.retryAfterSeconds }),
        ...(fault.drop === undefined ? {} : { drop: fault.drop }),
        malformed: fault.malformed ?? 0,
        delayMs: (fault.delayMs ?? 0) + this.faults.latencyMs,
        ...(fault.receipt === undefined ? {} : { receipt: fault.receipt }),
      };
    }
    const failing = this.faults.failing.find((fault) => path.startsWith(fault.path));
    if (failing) {
      return {
        status: failing.status,
        ...(failing.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: failing.retryAfterSeconds }),
        malformed: 0,
        delayMs: this.faults.latencyMs,
      };
    }
    const f = this.faults;
    const decision: FaultDecision = { malformed: 0, delayMs: f.latencyMs };
    if (f.errorRate > 0 && this.#random() < f.errorRate) decision.status = 503;
    else if (f.rateLimitRate > 0 && this.#random() < f.rateLimitRate) {
      decision.status = 429;
      decision.retryAfterSeconds = f.retryAfterSeconds;
    } else if (f.dropRate > 0 && this.#random() < f.dropRate)
      decision.drop = method === 'GET' ? 'before' : 'after';
    return decision;
  }

  /** Whether a record fault is set on this id. */
  has(id: string, fault: RecordFault['fault']): boolean {
    return this.faults.records.some((r) => r.id.toLowerCase() === id.toLowerCase() && r.fault === fault);
  }

  /** The lasting faults on a list endpoint. */
  listFaults(path: string): ListFault[] {
    return this.faults.lists.filter((l) => l.path === path);
  }

  /** Whether to corrupt one record of an answer (the malformed rate). */
  corruptOne(): boolean {
    return this.faults.malformedRate > 0 && this.#random() < this.faults.malformedRate;
  }
}
