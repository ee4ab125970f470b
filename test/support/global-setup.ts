import type { TestProject } from 'vitest/node';
import { type RunningRedis, startRedis } from './redis.ts';

let redis: RunningRedis | undefined;

export async function setup(project: TestProject): Promise<void> {
  redis = await startRedis();
  project.provide('redisUrl', redis.url);
}

export async function teardown(): Promise<void> {
  await redis?.stop();
}
