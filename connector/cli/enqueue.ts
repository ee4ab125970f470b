import { type CommandContext, notBuilt } from './context.ts';

export async function runEnqueue(ctx: CommandContext, _words: readonly string[]): Promise<number> {
  return notBuilt(ctx, 'enqueue', 8);
}
