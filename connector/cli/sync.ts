import { type CommandContext, notBuilt } from './context.ts';

export async function runSync(ctx: CommandContext, _input?: unknown): Promise<number> {
  return notBuilt(ctx, 'sync', 5);
}
