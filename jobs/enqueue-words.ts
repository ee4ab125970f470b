import { ConfigError } from '../connector/errors.ts';
import { isPeriod } from '../mappings/period.ts';
import type { JobData } from './queues.ts';

/** The words of a CLI command (`sync all`, `invoice --period 2023-06`, `payments push`) as the job that runs it. */
export function jobOfWords(words: readonly string[]): JobData {
  const [command, ...rest] = words;
  const flag = (name: string): string | undefined => {
    const index = rest.indexOf(name);
    const value =
      index >= 0 ? rest[index + 1] : rest.find((w) => w.startsWith(`${name}=`))?.slice(name.length + 1);
    return value;
  };
  const period = () => {
    const value = flag('--period');
    if (!value || !isPeriod(value))
      throw new ConfigError(['--period YYYY-MM is required, e.g. enqueue invoice --period 2026-10']);
    return value;
  };
  switch (command) {
    case 'sync': {
      const what = rest[0];
      if (what !== 'partners' && what !== 'clients' && what !== 'tariffs' && what !== 'all') {
        throw new ConfigError([
          'enqueue sync takes partners, clients, tariffs or all, e.g. enqueue sync all',
        ]);
      }
      return { kind: 'sync', what, partner: flag('--partner') };
    }
    case 'invoice':
      return {
        kind: 'invoice',
        period: period(),
        partner: flag('--partner'),
        client: flag('--client'),
        ...(rest.includes('--force') ? { force: true } : {}),
        ...(rest.includes('--allow-open-period') ? { allowOpenPeriod: true } : {}),
      };
    case 'payments':
      if (rest[0] !== 'push') throw new ConfigError(['enqueue payments takes push: enqueue payments push']);
      return { kind: 'payments-push' };
    case 'reconcile':
      return { kind: 'reconcile', period: period() };
    default:
      throw new ConfigError([
        `enqueue takes a command that runs as a job: sync, invoice, payments push, reconcile (got "${words.join(' ')}")`,
      ]);
  }
}
