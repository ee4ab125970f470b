import type { IncomingHttpHeaders } from 'node:http';
import { messageOf } from '../errors.ts';
import type { Logger } from '../log.ts';
import {
  type Backoff,
  type Failure,
  decideRetry,
  networkCode,
  parseRetryAfter,
  sleep,
  wasNotSent,
} from '../retry.ts';
import type { TokenSource } from './auth.ts';
import {
  RcpAnswerTooLargeError,
  RcpAuthError,
  RcpOutcomeUnknownError,
  RcpRequestError,
  RcpUnavailableError,
  readErrorBody,
} from './errors.ts';

export type { Backoff };

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface SendPlan {
  call: string;
  /** Reads may be resent; a payment may not, once it may have reached RCP. */
  idempotent: boolean;
  backoff: Backoff;
  maxRetryAfterMs: number;
  tokens: TokenSource;
  log: Logger;
  stats: { retries: number };
  send: (token: string) => Promise<HttpAnswer>;
}

/**
 * One RCP call with RCP's failure rules: 401 renews the token once; 429, 503 and `object_locked`
 * are refusals before any work (retried, even for a payment); other 5xx and network errors are
 * retried for reads, but for a payment they mean the outcome is unknown. `decideRetry` decides.
 */
export async function sendWithRetries(plan: SendPlan): Promise<HttpAnswer> {
  let renewed = false;
  let lastProblem = '';
  let lastStatus: number | undefined;
  const policy = { backoff: plan.backoff, maxRetryAfterMs: plan.maxRetryAfterMs };
  const call = { repeatable: plan.idempotent };
  for (let attempt = 0; attempt < plan.backoff.attempts; attempt++) {
    if (attempt > 0) plan.stats.retries++;
    const token = await plan.tokens.token();
    let answer: HttpAnswer;
    try {
      answer = await plan.send(token);
    } catch (error) {
      // An answer too large to read is the same on every try: fail now, naming it.
      if (error instanceof RcpAnswerTooLargeError) throw error;
      const code = networkCode(error);
      lastProblem = `${plan.call}: ${code ?? messageOf(error)}`;
      lastStatus = undefined;
      const decision = decideRetry({ kind: 'no-answer', notSent: wasNotSent(code) }, call, attempt, policy);
      if (decision.action === 'outcome-unknown') {
        throw new RcpOutcomeUnknownError(
          plan.call,
          `${plan.call}: the answer was lost (${code ?? messageOf(error)})`,
          undefined,
          { cause: error },
        );
      }
      if (decision.action !== 'retry') throw gaveUp(plan, lastProblem, lastStatus);
      await pause(plan, attempt, decision.delayMs, lastProblem);
      continue;
    }
    if (answer.status >= 200 && answer.status < 300) return answer;

    const { alias, detail } = readErrorBody(answer.text);
    lastProblem = `${plan.call}: HTTP ${answer.status}${alias ? ` (${alias})` : ''}`;
    lastStatus = answer.status;
    if (answer.status === 401) {
      if (!renewed && plan.tokens.invalidate()) {
        renewed = true;
        attempt--;
        continue;
      }
      throw new RcpAuthError(
        plan.call,
        401,
        `RCP refused the credentials (401) on ${plan.call}: check RCP_TOKEN, or RCP_LOGIN and RCP_PASSWORD`,
      );
    }
    const failure = failureOf(answer, alias);
    const decision = decideRetry(failure, call, attempt, policy);
    switch (decision.action) {
      case 'retry':
        await pause(plan, attempt, decision.delayMs, lastProblem);
        continue;
      case 'give-up':
        if (decision.retryAfterMs === undefined) throw gaveUp(plan, lastProblem, lastStatus);
        throw new RcpUnavailableError(
          plan.call,
          `${lastProblem}: RCP asks to wait ${Math.ceil(decision.retryAfterMs / 1000)} s`,
          answer.status,
          decision.retryAfterMs,
        );
      case 'outcome-unknown':
        throw new RcpOutcomeUnknownError(
          plan.call,
          `${plan.call}: RCP answered ${answer.status}; it may or may not have recorded it`,
          answer.status,
        );
      case 'fail':
        throw new RcpRequestError(plan.call, answer.status, alias, detail);
    }
  }
  throw gaveUp(plan, lastProblem, lastStatus);
}

function gaveUp(plan: SendPlan, lastProblem: string, lastStatus: number | undefined): RcpUnavailableError {
  return new RcpUnavailableError(
    plan.call,
    `${lastProblem}; gave up after ${plan.backoff.attempts} tries`,
    lastStatus,
  );
}

/** What an RCP answer other than 2xx and 401 means for repeating the call. */
function failureOf(answer: HttpAnswer, alias: string | undefined): Failure {
  const retryAfterMs = parseRetryAfter(answer.headers['retry-after']);
  if (answer.status === 429) return { kind: 'refused', retryAfterMs };
  if (answer.status === 409 && alias === 'object_locked')
    return { kind: 'refused', retryAfterMs: retryAfterMs ?? 500 };
  // 503 is RCP (or its proxy) refusing work before doing any: safe to retry even for a payment.
  if (answer.status === 503) return { kind: 'refused', retryAfterMs };
  if (answer.status >= 500) return { kind: 'server', retryAfterMs };
  return { kind: 'permanent' };
}

async function pause(plan: SendPlan, attempt: number, delay: number, problem: string) {
  plan.log.debug({ problem, delayMs: delay, attempt: attempt + 1 }, 'RCP call failed; retrying');
  await sleep(delay);
}
