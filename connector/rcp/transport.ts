import type { IncomingHttpHeaders } from 'node:http';
import { type Backoff, backoffDelay, parseRetryAfter, sleep } from '../concurrency.ts';
import { OutcomeUnknownError, PermanentError, RetryableError, messageOf } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { TokenSource } from './auth.ts';
import { RcpRequestError, readErrorBody } from './errors.ts';

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

/** Errors raised before a byte of the request left: resending cannot double anything. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * One RCP call with RCP's failure rules: 401 renews the token once; 429, 503 and `object_locked`
 * wait and retry (nothing was done); other 5xx and network errors retry reads with backoff, but for
 * a write they mean the outcome is unknown and are never retried.
 */
export async function sendWithRetries(plan: SendPlan): Promise<HttpAnswer> {
  let renewed = false;
  let lastProblem = '';
  for (let attempt = 0; attempt < plan.backoff.attempts; attempt++) {
    if (attempt > 0) plan.stats.retries++;
    const token = await plan.tokens.token();
    let answer: HttpAnswer;
    try {
      answer = await plan.send(token);
    } catch (error) {
      const code = errorCode(error);
      lastProblem = `${plan.call}: ${code ?? messageOf(error)}`;
      if (!plan.idempotent && !(code && NOT_SENT.has(code))) {
        throw new OutcomeUnknownError(`${plan.call}: the answer was lost (${code ?? messageOf(error)})`, {
          cause: error,
        });
      }
      await pause(plan, attempt, undefined, lastProblem);
      continue;
    }
    if (answer.status >= 200 && answer.status < 300) return answer;

    const { alias, detail } = readErrorBody(answer.text);
    lastProblem = `${plan.call}: HTTP ${answer.status}${alias ? ` (${alias})` : ''}`;
    if (answer.status === 401) {
      if (!renewed && plan.tokens.invalidate()) {
        renewed = true;
        attempt--;
        continue;
      }
      throw new PermanentError(
        `RCP refused the credentials (401) on ${plan.call}: check RCP_TOKEN, or RCP_LOGIN and RCP_PASSWORD`,
        401,
      );
    }
    if (answer.status === 429 || (answer.status === 409 && alias === 'object_locked')) {
      const retryAfter =
        parseRetryAfter(answer.headers['retry-after']) ?? (answer.status === 409 ? 500 : undefined);
      if (retryAfter !== undefined && retryAfter > plan.maxRetryAfterMs) {
        throw new RetryableError(
          `${lastProblem}: RCP asks to wait ${Math.ceil(retryAfter / 1000)} s`,
          retryAfter,
        );
      }
      await pause(plan, attempt, retryAfter, lastProblem);
      continue;
    }
    // 503 is RCP (or its proxy) refusing work before doing any: safe to retry even for a payment.
    if (answer.status >= 500) {
      if (!plan.idempotent && answer.status !== 503) {
        throw new OutcomeUnknownError(
          `${plan.call}: RCP answered ${answer.status}; it may or may not have recorded it`,
        );
      }
      await pause(plan, attempt, parseRetryAfter(answer.headers['retry-after']), lastProblem);
      continue;
    }
    throw new RcpRequestError(plan.call, answer.status, alias, detail);
  }
  throw new RetryableError(`${lastProblem}; gave up after ${plan.backoff.attempts} tries`);
}

async function pause(plan: SendPlan, attempt: number, atLeastMs: number | undefined, problem: string) {
  if (attempt + 1 >= plan.backoff.attempts) return;
  const delay = Math.max(atLeastMs ?? 0, backoffDelay(plan.backoff, attempt));
  plan.log.debug({ problem, delayMs: delay, attempt: attempt + 1 }, 'RCP call failed; retrying');
  await sleep(delay);
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}
