import { type CommandContext, notBuilt } from './context.ts';

export async function runSimulator(ctx: CommandContext, _input?: unknown): Promise<number> {
  return notBuilt(ctx, 'simulator', 3);
}
