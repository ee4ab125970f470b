/** `rcp-odoo enqueue <command...>`: puts the job of a command on the queue, for the worker. */
import { z } from 'zod';
import { queuedUsages } from '../../jobs/enqueue-words.ts';
import type { JobData } from '../../jobs/queues.ts';
import type { CliCommand } from './command.ts';

interface Queued {
  job: string;
  added: boolean;
  retried: boolean;
  data: JobData;
}

export const enqueue: CliCommand<{ words: string[] }, Queued> = {
  name: 'enqueue',
  input: z.object({ words: z.array(z.string()).min(1) }),
  command: {
    words: ['enqueue'],
    description:
      'put the job of a command on the queue, e.g. `enqueue sync all`, `enqueue invoice --period 2023-06`',
    args: [{ key: 'words', name: 'command', help: 'the same words as the CLI command', variadic: true }],
    passThrough: true,
    helpAfter: [
      'Commands that run as jobs:',
      ...queuedUsages().map((usage) => `  ${usage}`),
      'Needs REDIS_URL; a worker (`rcp-odoo worker`) on the same Redis runs the job.',
    ],
    example: 'enqueue invoice --period 2023-06',
  },
  run: async (ctx, input) => {
    const { Queue } = await import('bullmq');
    const { jobOfWords } = await import('../../jobs/enqueue-words.ts');
    const { QUEUE_NAME } = await import('../../jobs/queues.ts');
    const { enqueueJob } = await import('../../jobs/worker.ts');
    const { reachRedis } = await import('../redis.ts');
    // --json is this command's own, wherever it stands among the words.
    const data = jobOfWords(input.words.filter((w) => w !== '--json'));
    const url = ctx.config(['redis']).redisUrl;
    // Said within seconds, not a wait without end: the queue itself would wait for Redis forever.
    await reachRedis(url);
    const queue = new Queue<JobData>(QUEUE_NAME, {
      connection: { url, maxRetriesPerRequest: 1, retryStrategy: (times) => (times > 3 ? null : 500) },
    });
    queue.on('error', () => {});
    try {
      const result = await enqueueJob(queue, data);
      return { job: result.id, added: result.added, retried: result.retried, data };
    } finally {
      await queue.close();
    }
  },
  summary: (r) =>
    r.added
      ? `Queued ${r.job}.`
      : r.retried
        ? `${r.job} had failed: queued again.`
        : `${r.job} is already waiting or running: not queued twice.`,
};
