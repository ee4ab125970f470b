/**
 * The few error kinds the whole connector speaks. Each says whether a retry can help, so that the
 * edges (RCP, Odoo), the processes and the jobs decide the same way.
 */
export abstract class ConnectorError extends Error {
  abstract readonly retryable: boolean;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Network failure, 5xx, 429, RCP `object_locked`, Odoo serialization failure: trying again may succeed. */
export class RetryableError extends ConnectorError {
  readonly retryable = true;
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Bad or missing configuration or usage: the command stops with exit code 2. */
export class ConfigError extends ConnectorError {
  readonly retryable = false;
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

/** The RCP workspace is not in this Odoo (setup not run, or removed): the worker waits for it. */
export class WorkspaceMissingError extends ConfigError {}

/**
 * The configuration read for one of the worker's runs (as a command started now would read it) is
 * invalid: the run is refused with the reasons, never run on the settings the worker started with.
 */
export class RunRefusedError extends ConfigError {
  constructor(problems: readonly string[]) {
    super([
      `refused: the configuration (environment and .env, read for each run) is not valid now: ${problems.join('; ')}`,
    ]);
  }
}

/** A non-idempotent call (an RCP payment) whose answer was lost: it may or may not have happened. Never retried. */
export class OutcomeUnknownError extends ConnectorError {
  readonly retryable = false;
}

/** A permanent failure of a whole call (4xx from RCP, access rights in Odoo): retrying will not help. */
export class PermanentError extends ConnectorError {
  readonly retryable = false;
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isRetryable(error: unknown): boolean {
  return error instanceof ConnectorError && error.retryable;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
