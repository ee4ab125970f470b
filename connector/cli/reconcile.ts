import { type CommandContext, notBuilt } from './context.ts';

export async function runReconcile(ctx: CommandContext, _input?: unknown): Promise<number> {
  return notBuilt(ctx, 'reconcile', 6);
}
