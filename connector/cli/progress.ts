/**
 * A progress bar on the terminal for long commands (`sync`, `invoice`, `payments push`, the bench):
 * one bar per phase of the process's progress events, on stderr. Nothing at all with --json or when
 * stdout or stderr is not a terminal (a pipe, a file, a CI log), so the summary stays the only output.
 */
import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../deps.ts';

export interface ProgressDisplay {
  /** Whether bars are drawn at all. */
  readonly shown: boolean;
  update(event: ProgressEvent): void;
  stop(): void;
}

export interface ProgressOptions {
  json: boolean;
  stdout?: { isTTY?: boolean };
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
}

export function progressDisplay(options: ProgressOptions): ProgressDisplay {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  if (options.json || !stdout.isTTY || !stderr.isTTY) return { shown: false, update() {}, stop() {} };
  let bar: cliProgress.SingleBar | undefined;
  let phase: string | undefined;
  const stop = () => {
    bar?.stop();
    bar = undefined;
    phase = undefined;
  };
  return {
    shown: true,
    update(event) {
      if (event.phase !== phase || !bar) {
        stop();
        phase = event.phase;
        bar = new cliProgress.SingleBar(
          {
            format: `${event.phase.padEnd(10)} [{bar}] {value}/{total} {percentage}% | {duration_formatted} | eta {eta_formatted}`,
            stream: stderr,
            hideCursor: true,
            clearOnComplete: false,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(event.total, event.done);
        return;
      }
      bar.setTotal(event.total);
      bar.update(event.done);
    },
    stop,
  };
}
