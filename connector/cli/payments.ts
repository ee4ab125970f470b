import { type CommandContext, notBuilt } from './context.ts';

export async function runPaymentsPush(ctx: CommandContext, _input: { dryRun: boolean }): Promise<number> {
  return notBuilt(ctx, 'payments push', 7);
}

export async function runPaymentsResolve(
  ctx: CommandContext,
  _input: { payment: string; pushed: boolean },
): Promise<number> {
  return notBuilt(ctx, 'payments resolve', 7);
}
