import { describe, expect, it } from 'vitest';
import { type Failure, decideRetry } from '../../connector/retry.ts';

const policy = { backoff: { attempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 }, maxRetryAfterMs: 5_000 };
const noJitter = () => 0;

describe('the retry decision both edges share', () => {
  it.each([
    // failure, may the call be repeated, attempt, decision
    [{ kind: 'permanent' }, true, 0, 'fail'],
    [{ kind: 'no-answer', notSent: false }, true, 0, 'retry'],
    [{ kind: 'no-answer', notSent: false }, false, 0, 'outcome-unknown'],
    [{ kind: 'no-answer', notSent: true }, false, 0, 'retry'],
    [{ kind: 'server' }, true, 0, 'retry'],
    [{ kind: 'server' }, false, 0, 'outcome-unknown'],
    [{ kind: 'refused' }, false, 0, 'retry'],
    [{ kind: 'refused' }, true, 2, 'give-up'],
    [{ kind: 'no-answer', notSent: false }, true, 2, 'give-up'],
    [{ kind: 'refused', retryAfterMs: 60_000 }, true, 0, 'give-up'],
  ] as Array<[Failure, boolean, number, string]>)(
    '%o, repeatable %s, try %i: %s',
    (failure, repeatable, attempt, action) => {
      expect(decideRetry(failure, { repeatable }, attempt, policy, noJitter).action).toBe(action);
    },
  );

  it('waits at least what the server asks, else backs off exponentially', () => {
    expect(
      decideRetry({ kind: 'refused', retryAfterMs: 2_000 }, { repeatable: true }, 0, policy, noJitter),
    ).toEqual({
      action: 'retry',
      delayMs: 2_000,
    });
    expect(decideRetry({ kind: 'server' }, { repeatable: true }, 1, policy, noJitter)).toEqual({
      action: 'retry',
      delayMs: 100,
    });
  });
});
