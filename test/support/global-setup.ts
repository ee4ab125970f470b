import type { TestProject } from 'vitest/node';
import { aptInstall, runs } from './debian.ts';
import { type RunningRedis, startRedis } from './redis.ts';

let redis: RunningRedis | undefined;

export async function setup(project: TestProject): Promise<void> {
  const hasXmllint = () => runs('xmllint', ['--version']);
  if (!hasXmllint()) aptInstall('libxml2-utils', 'the ФНС schema checks need xmllint', hasXmllint);
  redis = await startRedis();
  project.provide('redisUrl', redis.url);
}

export async function teardown(): Promise<void> {
  await redis?.stop();
}
