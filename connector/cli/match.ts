import { type CommandContext, notBuilt } from './context.ts';

export async function runMatch(ctx: CommandContext, _input?: unknown): Promise<number> {
  return notBuilt(ctx, 'match', 5);
}
