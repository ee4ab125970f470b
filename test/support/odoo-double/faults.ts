/**
 * Odoo's exceptions as the double raises them, and the payloads real servers answer for them
 * (odoo-contract transcripts): JSON-RPC envelopes on 17–19, bare JSON-2 errors with a status on 19.
 */
export type OdooVersion = '17' | '18' | '19';

export class OdooFault extends Error {
  constructor(
    /** The Python exception class, e.g. `odoo.exceptions.ValidationError`. */
    readonly exception: string,
    message: string,
    /** The JSON-2 HTTP status. */
    readonly status = 500,
  ) {
    super(message);
  }
}

export const fault = {
  value: (message: string) => new OdooFault('builtins.ValueError', message, 500),
  user: (message: string) => new OdooFault('odoo.exceptions.UserError', message, 422),
  validation: (message: string) => new OdooFault('odoo.exceptions.ValidationError', message, 422),
  access: (message: string) => new OdooFault('odoo.exceptions.AccessError', message, 403),
  missing: (message: string) => new OdooFault('odoo.exceptions.MissingError', message, 422),
  denied: () => new OdooFault('odoo.exceptions.AccessDenied', 'Access Denied', 401),
  serialization: () =>
    new OdooFault(
      'psycopg2.errors.SerializationFailure',
      'could not serialize access due to concurrent update',
      500,
    ),
};

/** Words that changed between versions, as the recordings show them. */
export function wording(version: OdooVersion) {
  const v19 = version === '19';
  return {
    invalidField: (field: string, model: string) =>
      v19 ? `Invalid field '${field}' in '${model}'` : `Invalid field '${field}' on model '${model}'`,
    invalidReadField: (field: string, model: string) =>
      v19 ? `Invalid field '${field}' on '${model}'` : `Invalid field '${field}' on model '${model}'`,
    privateMethod: (model: string, method: string) =>
      v19
        ? `Private methods (such as '${model}.${method}') cannot be called remotely.`
        : `Private methods (such as ${method}) cannot be called remotely.`,
    postEmpty: v19 ? "Even magicians can't post nothing!" : 'You need to add a line before posting.',
    serverError: version === '18' ? 'Qplexity Server Error' : 'Odoo Server Error',
  };
}

export function jsonRpcError(version: OdooVersion, id: unknown, error: OdooFault) {
  return {
    jsonrpc: '2.0',
    id,
    error: {
      code: version === '19' ? 0 : 200,
      message: wording(version).serverError,
      data: {
        name: error.exception,
        debug: `Traceback (most recent call last):\n  File "odoo/http.py", line 1, in _serve\n${error.exception}: ${error.message}\n`,
        message: error.message,
        arguments: [error.message],
        context: {},
      },
    },
  };
}

export function json2Error(error: OdooFault) {
  return {
    name: error.exception,
    message: error.message,
    arguments: [error.message, error.status],
    context: {},
    debug: `Traceback (most recent call last):\n${error.exception}: ${error.message}\n`,
  };
}

export const NOT_FOUND_HTML =
  '<!DOCTYPE html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n';
