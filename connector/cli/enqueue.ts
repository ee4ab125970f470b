import { Queue } from 'bullmq';
import { jobOfWords } from '../../jobs/enqueue-words.ts';
import { type JobData, QUEUE_NAME } from '../../jobs/queues.ts';
import { enqueueJob } from '../../jobs/worker.ts';
import { reachRedis } from '../redis.ts';
import { type CommandContext, EXIT } from './context.ts';

/** Puts the job of a command on the queue for the worker. */
export async function runEnqueue(ctx: CommandContext, words: readonly string[]): Promise<number> {
  const data = jobOfWords(words);
  const config = ctx.config(['redis']);
  const url = config.redisUrl;
  // Said within seconds, not a wait without end: the queue itself would wait for Redis forever.
  await reachRedis(url);
  const queue = new Queue<JobData>(QUEUE_NAME, {
    connection: { url, maxRetriesPerRequest: 1, retryStrategy: (times) => (times > 3 ? null : 500) },
  });
  queue.on('error', () => {});
  try {
    const result = await enqueueJob(queue, data);
    const text = result.added
      ? `Queued ${result.id}.`
      : result.retried
        ? `${result.id} had failed: queued again.`
        : `${result.id} is already waiting or running: not queued twice.`;
    ctx.out.result({ job: result.id, added: result.added, retried: result.retried, data }, text);
    return EXIT.done;
  } finally {
    await queue.close();
  }
}
