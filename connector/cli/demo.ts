import { type CommandContext, notBuilt } from './context.ts';

export async function runDemo(ctx: CommandContext, _input?: unknown): Promise<number> {
  return notBuilt(ctx, 'demo', 5);
}
