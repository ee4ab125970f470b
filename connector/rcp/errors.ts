import type { z } from 'zod';
import { OutcomeUnknownError, PermanentError, RetryableError } from '../errors.ts';
import { ErrorBody } from './schemas.ts';

/**
 * The RCP error family: every failure of an RCP call says which call (`GET /client`) and, when RCP
 * answered, the HTTP status, so that callers (the worker's metrics) tell RCP's failures by type.
 * Each member is also one of the connector's kinds (permanent, retryable, outcome unknown).
 */
export interface RcpFailure {
  readonly call: string;
  readonly status?: number | undefined;
}

/** A 4xx answer that retrying will not change; carries RCP's own words. */
export class RcpRequestError extends PermanentError implements RcpFailure {
  declare readonly status: number;
  constructor(
    readonly call: string,
    status: number,
    readonly alias: string | undefined,
    detail: string,
  ) {
    super(
      `RCP answered ${status} to ${call}${alias ? ` (${alias})` : ''}${detail ? `: ${detail}` : ''}`,
      status,
    );
  }
}

/** RCP refused the credentials (401, or the login was refused). */
export class RcpAuthError extends PermanentError implements RcpFailure {
  constructor(
    readonly call: string,
    status: number | undefined,
    message: string,
  ) {
    super(message, status);
  }
}

/** RCP answered, but not in the shape the API documents (not JSON, not a list, no page envelope). */
export class RcpAnswerError extends PermanentError implements RcpFailure {
  constructor(
    readonly call: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An RCP list that kept changing while it was read (its `total` moved, a page came short or
 * items came twice): no view of it is whole, so the run takes nothing from it. Reading it later may work.
 */
export class RcpListChangedError extends RetryableError implements RcpFailure {
  readonly status = undefined;
  constructor(
    readonly call: string,
    message: string,
  ) {
    super(message);
  }
}

/** An RCP answer larger than the connector reads (`RCP_MAX_ANSWER_MB`): refused before it is parsed. */
export class RcpAnswerTooLargeError extends PermanentError implements RcpFailure {
  constructor(
    readonly call: string,
    readonly url: string,
    readonly limitBytes: number,
  ) {
    super(
      `RCP's answer to ${call} (${url}) is larger than ${Math.round(limitBytes / 1_048_576)} MB (RCP_MAX_ANSWER_MB): refused unread. Check that RCP answers this list page by page, or raise RCP_MAX_ANSWER_MB.`,
    );
  }
}

/** RCP could not be reached or kept failing (network, 5xx, 429) after the tries allowed: try later. */
export class RcpUnavailableError extends RetryableError implements RcpFailure {
  constructor(
    readonly call: string,
    message: string,
    readonly status: number | undefined,
    retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, retryAfterMs, options);
  }
}

/** A payment call whose answer was lost: RCP may or may not have recorded it. Never resent. */
export class RcpOutcomeUnknownError extends OutcomeUnknownError implements RcpFailure {
  constructor(
    readonly call: string,
    message: string,
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type RcpError =
  | RcpRequestError
  | RcpAuthError
  | RcpAnswerError
  | RcpUnavailableError
  | RcpOutcomeUnknownError
  | RcpListChangedError
  | RcpAnswerTooLargeError;

export function isRcpError(error: unknown): error is RcpError {
  return (
    error instanceof RcpRequestError ||
    error instanceof RcpAuthError ||
    error instanceof RcpAnswerError ||
    error instanceof RcpUnavailableError ||
    error instanceof RcpOutcomeUnknownError ||
    error instanceof RcpListChangedError ||
    error instanceof RcpAnswerTooLargeError
  );
}

/** A record of an RCP answer that breaks the schema: skipped, named, and listed for the run's report. */
export interface SkippedRecord {
  what: string;
  id: string | undefined;
  problem: string;
  /**
   * For a broken client: its partner's id (lower case) when that much could be read, `''` when it
   * has no partner, `null` when not even that (then any reseller may be missing it).
   */
  partner?: string | null;
}

export function describeSkipped(skipped: SkippedRecord): string {
  return `${skipped.what} ${skipped.id ?? '(no id)'}: ${skipped.problem}`;
}

/** `contract.billing_plan.id: Required; name: Expected string, received number` */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(record)'}: ${issue.message}`)
    .join('; ');
}

/** RCP's error body, shortened to what a person needs (`error_alias`, `details`, `non_field_errors`). */
export function readErrorBody(text: string): { alias: string | undefined; detail: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { alias: undefined, detail: text.slice(0, 200) };
  }
  const body = ErrorBody.safeParse(parsed);
  if (!body.success) return { alias: undefined, detail: '' };
  const parts = [body.data.details, body.data.non_field_errors]
    .filter((part) => part !== undefined && part !== null && part !== '')
    .map((part) => (typeof part === 'string' ? part : JSON.stringify(part)));
  return { alias: body.data.error_alias, detail: parts.join('; ').slice(0, 300) };
}
