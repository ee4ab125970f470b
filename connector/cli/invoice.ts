import { type CommandContext, notBuilt } from './context.ts';

export async function runInvoice(ctx: CommandContext, _input?: unknown): Promise<number> {
  return notBuilt(ctx, 'invoice', 6);
}
