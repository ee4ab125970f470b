import { type CommandContext, notBuilt } from './context.ts';

export async function runCheck(ctx: CommandContext): Promise<number> {
  ctx.config(['rcp', 'odoo']);
  return notBuilt(ctx, 'check', 4);
}
