/**
 * When to try a call again, decided the same way for both edges (RCP and Odoo): the edge says what
 * happened (`Failure`) and whether the call may be repeated; `decideRetry` says what to do.
 */

export interface Backoff {
  /** Tries in all, the first one included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** What went wrong with one try of a call, in terms of whether repeating it can do harm. */
export type Failure =
  /** No answer: the request may have reached the server, unless it never left (`notSent`). */
  | { kind: 'no-answer'; notSent: boolean }
  /** The server refused before doing anything (429, 503, a lock, a rolled-back transaction). */
  | { kind: 'refused'; retryAfterMs?: number | undefined }
  /** The server failed while working (5xx): it may or may not have done it. */
  | { kind: 'server'; retryAfterMs?: number | undefined }
  /** An answer that repeating will not change (4xx, a validation error). */
  | { kind: 'permanent' };

export type RetryDecision =
  | { action: 'retry'; delayMs: number }
  /** Repeating could help, but the tries are spent or the server asks to wait too long. */
  | { action: 'give-up'; retryAfterMs?: number | undefined }
  /** A call that must not be repeated may have been done: never retried, flagged. */
  | { action: 'outcome-unknown' }
  | { action: 'fail' };

export interface RetryPolicy {
  backoff: Backoff;
  /** A server's `Retry-After` longer than this ends the call instead of waiting. */
  maxRetryAfterMs?: number | undefined;
}

/**
 * The retry rule of the connector: a call that may not be repeated (a payment, a create) is
 * repeated only when it surely was not done (never sent, or refused before any work); anything
 * else that can pass on a new try is tried again with exponential backoff and jitter, honouring
 * the server's `Retry-After`, until the tries are spent.
 */
export function decideRetry(
  failure: Failure,
  call: { repeatable: boolean },
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): RetryDecision {
  if (failure.kind === 'permanent') return { action: 'fail' };
  if (!call.repeatable) {
    if (failure.kind === 'server') return { action: 'outcome-unknown' };
    if (failure.kind === 'no-answer' && !failure.notSent) return { action: 'outcome-unknown' };
  }
  const retryAfterMs = failure.kind === 'no-answer' ? undefined : failure.retryAfterMs;
  if (
    retryAfterMs !== undefined &&
    policy.maxRetryAfterMs !== undefined &&
    retryAfterMs > policy.maxRetryAfterMs
  )
    return { action: 'give-up', retryAfterMs };
  if (attempt + 1 >= policy.backoff.attempts) return { action: 'give-up' };
  return {
    action: 'retry',
    delayMs: Math.max(retryAfterMs ?? 0, backoffDelay(policy.backoff, attempt, random)),
  };
}

/** Exponential backoff with jitter (half fixed, half random) before try number `attempt` + 1. */
export function backoffDelay(backoff: Backoff, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Network errors raised before a byte of the request left: resending cannot double anything. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/** The code of a network error (`ECONNRESET`), if it has one. */
export function networkCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

export function wasNotSent(code: string | undefined): boolean {
  return code !== undefined && NOT_SENT.has(code);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds from now. */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now: number = Date.now(),
): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
