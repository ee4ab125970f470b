/** How a command speaks to its user: a summary on stdout (text, or JSON with --json) and progress on stderr. */
import cliProgress from 'cli-progress';
import { visibleControls } from '../../mappings/safe-text.ts';

export interface Output {
  readonly json: boolean;
  /** Prints the command's result: `data` as JSON with --json, else `text`. */
  result(data: unknown, text: string): void;
  /** A progress bar on an interactive terminal (never with --json); a no-op elsewhere. */
  progress(label: string, total: number): Progress;
}

export interface Progress {
  tick(n?: number): void;
  setTotal(total: number): void;
  stop(): void;
}

const noProgress: Progress = { tick() {}, setTotal() {}, stop() {} };

export function createOutput(json: boolean, stdout: NodeJS.WritableStream = process.stdout): Output {
  return {
    json,
    result(data, text) {
      // Names come from RCP and Odoo: shown with their control characters as escapes, never obeyed.
      const shown = visibleControls(text);
      stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : shown.endsWith('\n') ? shown : `${shown}\n`);
    },
    progress(label, total) {
      if (json || !process.stderr.isTTY) return noProgress;
      const bar = new cliProgress.SingleBar(
        {
          format: `${label} [{bar}] {value}/{total} {eta_formatted}`,
          stream: process.stderr,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
      return {
        tick: (n = 1) => bar.increment(n),
        setTotal: (t) => bar.setTotal(t),
        stop: () => bar.stop(),
      };
    },
  };
}
