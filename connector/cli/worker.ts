import { type CommandContext, notBuilt } from './context.ts';

export async function runWorker(ctx: CommandContext, _input?: unknown): Promise<number> {
  return notBuilt(ctx, 'worker', 8);
}
