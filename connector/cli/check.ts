import { type CommandContext, notBuilt } from './context.ts';

export async function runCheck(ctx: CommandContext, _input?: unknown): Promise<number> {
  return notBuilt(ctx, 'check', 5);
}
