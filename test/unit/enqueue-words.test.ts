import { describe, expect, it } from 'vitest';
import { jobOfWords } from '../../jobs/enqueue-words.ts';
import { jobIdOf } from '../../jobs/queues.ts';

describe('enqueue takes the words of the CLI command', () => {
  it.each([
    [['sync', 'all'], { kind: 'sync', what: 'all', partner: undefined }, 'sync/all'],
    [
      ['sync', 'clients', '--partner', 'p-1'],
      { kind: 'sync', what: 'clients', partner: 'p-1' },
      'sync/clients/partner/p-1',
    ],
    [
      ['invoice', '--period', '2023-06'],
      { kind: 'invoice', period: '2023-06', partner: undefined, client: undefined },
      'invoice/2023-06',
    ],
    [['payments', 'push'], { kind: 'payments-push' }, 'payments-push'],
    [['reconcile', '--period=2023-06'], { kind: 'reconcile', period: '2023-06' }, 'reconcile/2023-06'],
  ])('%j', (words, job, unit) => {
    expect(jobOfWords(words)).toEqual(job);
    expect(jobIdOf(jobOfWords(words))).toBe(unit);
  });

  it.each([[['invoice']], [['sync', 'everything']], [['payments', 'pull']], [['worker']]])(
    'refuses %j with a usage message',
    (words) => {
      expect(() => jobOfWords(words)).toThrow(/enqueue|--period/);
    },
  );
});
