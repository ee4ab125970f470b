/**
 * Structured logging (pino) on stderr, so stdout stays for summaries and `--json`. Human-readable on a
 * TTY. Secrets are redacted by key name, and Secret values print as a placeholder anyway.
 */
import { type DestinationStream, type Logger, pino } from 'pino';
import { SECRET_VARIABLES } from './config.ts';

export type { Logger };

export const REDACTED_KEYS = [
  'token',
  'password',
  'apiKey',
  'api_key',
  'secret',
  'authorization',
  'Authorization',
  'key',
  ...SECRET_VARIABLES,
];

const redactPaths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `headers.${k}`]);

export function createLogger(
  options: { level?: string; pretty?: boolean; destination?: NodeJS.WritableStream } = {},
): Logger {
  const level = options.level ?? 'info';
  const redact = { paths: redactPaths, censor: '[secret]' };
  const pretty = options.pretty ?? (process.stderr.isTTY === true && !options.destination);
  if (pretty) {
    return pino({
      level,
      redact,
      transport: {
        target: 'pino-pretty',
        options: { destination: 2, colorize: true, ignore: 'pid,hostname' },
      },
    });
  }
  return pino({ level, redact }, (options.destination ?? process.stderr) as DestinationStream);
}

/** A logger that writes nothing: for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
