import type { z } from 'zod';
import { PermanentError } from '../errors.ts';
import { ErrorBody } from './schemas.ts';

/** A 4xx answer that retrying will not change; carries RCP's own words. */
export class RcpRequestError extends PermanentError {
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
