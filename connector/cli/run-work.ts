import { type Work, exitOf, inputOf, outcomeOf } from '../work/work.ts';
import { recordedRun } from '../workspace/runs.ts';
import { type CommandContext, cliRunner } from './context.ts';
import { withDeps } from './open-deps.ts';

/**
 * Runs a kind of work from the command line: recorded in RCP → Runs like a run requested there
 * (x_trigger cli), its summary printed (or its JSON with --json), exit 1 when a record failed.
 */
export async function runWork<I, R>(ctx: CommandContext, work: Work<I, R>, given: unknown): Promise<number> {
  const input = inputOf(work, given);
  // What the work needs beyond RCP and Odoo is checked before either is opened (exit 2 when wrong).
  if (work.needs) ctx.config(['rcp', 'odoo', ...work.needs]);
  const runKind = work.runKind;
  const report = await (work.opens === 'nothing'
    ? work.run({ config: ctx.config(['rcp', 'odoo']), log: ctx.log }, input)
    : withDeps(ctx, (deps) =>
        runKind
          ? recordedRun(
              deps,
              { kind: runKind, trigger: 'cli', worker: cliRunner(), ...work.filters?.(input) },
              (d) => work.run(d, input),
              (r) => outcomeOf(work, r, input),
            )
          : work.run(deps, input),
      ));
  ctx.out.result(work.json ? work.json(report, input) : report, work.summary(report, input));
  return exitOf(work, report);
}
