import { ConnectorError } from '../errors.ts';

/**
 * What an Odoo failure means for the caller, mapped from the exception class Odoo names
 * (`error.data.name` on JSON-RPC, `name` on JSON-2), never from its wording, which is translated
 * and even rebranded on some servers.
 */
export type OdooErrorKind =
  | 'auth' // wrong login, password or API key
  | 'access' // the user lacks a group; an admin must grant it
  | 'validation' // this record was refused (ValidationError, UserError, ValueError): report it, go on
  | 'missing' // the record is gone
  | 'not-found' // no such model, method or endpoint (wrong version, module not installed)
  | 'database' // the database named by ODOO_DB does not exist or cannot be reached
  | 'concurrency' // serialization failure or deadlock: the transaction was rolled back, retry
  | 'network' // no answer; retried when the call is safe to repeat
  | 'server'; // anything else Odoo raised

const RETRYABLE: ReadonlySet<OdooErrorKind> = new Set(['concurrency', 'network']);

export class OdooError extends ConnectorError {
  readonly retryable: boolean;
  constructor(
    readonly kind: OdooErrorKind,
    /** `res.partner.create`: where it happened. */
    readonly call: string,
    /** Odoo's own message, without the traceback. */
    readonly serverMessage: string,
    /** The Python exception class, e.g. `odoo.exceptions.ValidationError`. */
    readonly exception?: string,
    options?: { cause?: unknown },
  ) {
    super(`Odoo ${call}: ${serverMessage}`, options);
    this.retryable = RETRYABLE.has(kind);
  }
}

/** The kind of failure an Odoo exception class (and, on JSON-2, the HTTP status) stands for. */
export function kindOf(exception: string, status?: number): OdooErrorKind {
  if (/AccessDenied|Unauthorized|SessionExpired/.test(exception) || status === 401) return 'auth';
  // InsufficientPrivilege: a database guard of the workspace refused the write (guards.ts).
  if (/AccessError|InsufficientPrivilege/.test(exception) || status === 403) return 'access';
  if (/MissingError/.test(exception)) return 'missing';
  if (
    /SerializationFailure|TransactionRollback|DeadlockDetected|LockNotAvailable|ConcurrentUpdate/.test(
      exception,
    )
  ) {
    return 'concurrency';
  }
  if (/ValidationError|UserError|ValueError|RedirectWarning|IntegrityError|CheckViolation/.test(exception)) {
    return 'validation';
  }
  if (/psycopg2\.OperationalError/.test(exception)) return 'database';
  if (/NotFound/.test(exception) || status === 404) return 'not-found';
  return 'server';
}

/** Odoo's messages end in newlines and may be long: one line, bounded. */
export function cleanMessage(message: string): string {
  const oneLine = message.replace(/\s+/g, ' ').trim();
  return oneLine.length > 400 ? `${oneLine.slice(0, 397)}...` : oneLine;
}
