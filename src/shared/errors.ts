/**
 * The error catalogue. Every error the API returns is built here, so each has one wire
 * ErrorCode (the exception-type style names ServiceStack clients expect), one status and one
 * wording. docs/errors.md lists the same codes; test/errors-catalogue.test.ts keeps them in step.
 */
import type { ImportErrorCode } from './import-error-codes.ts';

/** Codes of validation rules: the first failing one is also the response's ErrorCode. */
export const ValidationCode = {
  NotEmpty: 'NotEmpty',
  MaximumLength: 'MaximumLength',
  InclusiveBetween: 'InclusiveBetween',
  GreaterThanOrEqual: 'GreaterThanOrEqual',
  InvalidDate: 'InvalidDate',
} as const;
export type ValidationCodeValue = (typeof ValidationCode)[keyof typeof ValidationCode];

/** Every `ResponseStatus.Errors[].ErrorCode` besides the import file problems. */
export const MemberErrorCode = {
  ...ValidationCode,
  SerializationException: 'SerializationException',
  UnsupportedMediaType: 'UnsupportedMediaType',
  InvalidCharacters: 'InvalidCharacters',
  InvalidCheckList: 'InvalidCheckList',
  ArgumentException: 'ArgumentException',
  NotImplementedException: 'NotImplementedException',
  FileTooLarge: 'FileTooLarge',
  FieldNotUpdatable: 'FieldNotUpdatable',
} as const;
export type MemberErrorCodeValue = (typeof MemberErrorCode)[keyof typeof MemberErrorCode];

/** The `ResponseStatus.ErrorCode` of an import that ended without creating all its reports. */
export const ImportOutcomeCode = {
  /** the worker gave up after its attempts; the message says why */
  ImportFailed: 'ImportFailed',
  /** the import finished with fewer reports than it accepted */
  ImportIncomplete: 'ImportIncomplete',
} as const;

export interface FieldError<C extends string = MemberErrorCodeValue | ImportErrorCode> {
  errorCode: C;
  fieldName: string;
  message: string;
  meta?: Record<string, string>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly errors: FieldError[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = errorCode;
  }
}

export const Errors = {
  // ---- routing
  routeNotFound: (method: string, path: string) =>
    new ApiError(404, 'NotFound', `Handler for Request not found: ${method} ${path}`),
  unknownOperation: (name: string) =>
    new ApiError(405, 'NotImplementedException', 'The operation does not exist for this service', [
      { errorCode: 'NotImplementedException', fieldName: 'Operation', message: `No operation is named '${name}'` },
    ]),
  verbNotAllowed: (method: string, route: string, allowed: string[]) =>
    new ApiError(405, 'MethodNotAllowed', `${method} is not allowed on ${route}; use ${allowed.join(' or ')}`, [], {
      allow: allowed.join(', '),
    }),

  // ---- documentation pages
  unknownPageOperation: (name: string) => new ApiError(404, 'NotFound', `No operation is named '${name}'`),
  unknownPageFormat: (format: string, known: string) =>
    new ApiError(404, 'NotFound', `There are no metadata pages in the format '${format}'; the formats are ${known}`),

  // ---- binding and validation
  invalidTypesOption: (name: string, value: string, expected: string) => {
    const message = `The option '${name}' must be ${expected}; '${value.slice(0, 100)}' is not`;
    return new ApiError(400, 'ArgumentException', message, [{ errorCode: 'ArgumentException', fieldName: name, message }]);
  },
  badPath: (path: string) => new ApiError(400, 'SerializationException', `The request path '${path}' is not valid URL encoding`),
  unbindable: (requestName: string, errors: FieldError[]) =>
    new ApiError(400, 'SerializationException', `Unable to bind to request '${requestName}'`, errors),
  malformedBody: (format: string, detail: string) =>
    new ApiError(400, 'SerializationException', `The request body is not valid ${format}: ${detail}`),
  invalidCharacters: (errors: FieldError[]) => new ApiError(400, 'InvalidCharacters', errors[0].message, errors),
  validation: (errors: FieldError<ValidationCodeValue>[]) => new ApiError(400, errors[0].errorCode, errors[0].message, errors),
  unknownFormat: (name: string) =>
    new ApiError(400, 'UnknownFormat', `'${name}' is not a format this API writes; use json, xml, jsv or csv`),
  bodyTooLarge: (limit: number) =>
    new ApiError(413, 'RequestEntityTooLarge', `The request body is larger than the limit of ${limit} bytes`),

  // ---- authentication
  notAuthenticated: () =>
    new ApiError(401, 'Unauthorized', 'Not Authenticated', [], { 'www-authenticate': 'credentials realm="/auth/credentials"' }),
  invalidCredentials: () =>
    new ApiError(401, 'Unauthorized', 'Invalid Username or Password', [], { 'www-authenticate': 'credentials realm="/auth/credentials"' }),
  invalidApiKey: () =>
    new ApiError(401, 'Unauthorized', 'API Key does not exist', [], { 'www-authenticate': 'credentials realm="/auth/credentials"' }),
  apiKeyCancelled: () => new ApiError(403, 'Forbidden', 'API Key has been cancelled'),
  crossSiteRequest: (from: string) =>
    new ApiError(403, 'CrossSiteRequest', `A request from ${from} that would change state with this site's session cookie is refused; send it from this site, or authenticate it with an Authorization or X-ss-id header`),
  malformedAuthorization: (detail: string) =>
    new ApiError(401, 'Unauthorized', `The Authorization header is not valid: ${detail}`, [], {
      'www-authenticate': 'credentials realm="/auth/credentials"',
    }),
  tooManyAttempts: (retryAfterMs: number) => {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    return new ApiError(429, 'TooManyRequests', `Too many failed sign-in attempts; try again in ${seconds} s`, [], {
      'retry-after': String(seconds),
    });
  },
  unknownAuthProvider: (provider: string) =>
    new ApiError(404, 'NotFound', `No configuration was added for OAuth provider '${provider}'`),
  credentialsNeedPost: () =>
    new ApiError(405, 'MethodNotAllowed', 'Sign in with POST: credentials are not accepted in a query string', [], { allow: 'POST' }),

  // ---- imports
  importNotFound: (importId: string) => new ApiError(404, 'NotFound', `Import '${importId}' was not found`),
  invalidImportFile: (errors: FieldError[], truncated: boolean) =>
    new ApiError(
      400,
      'InvalidImportFile',
      `The import file was rejected: ${errors.length}${truncated ? ' or more' : ''} problem${errors.length === 1 && !truncated ? '' : 's'} found; nothing was imported`,
      errors,
    ),
  importFileTooLarge: (size: number, limit: number) =>
    new ApiError(400, 'FileTooLarge', `FileBytes is ${size} bytes; the largest file accepted is ${limit} bytes`, [
      { errorCode: 'FileTooLarge', fieldName: 'FileBytes', message: `The largest file accepted is ${limit} bytes` },
    ]),

  // ---- reports
  fieldNotFound: (fieldId: string) => new ApiError(404, 'NotFound', `Field '${fieldId}' was not found`),
  invalidFieldValue: (fieldType: string, error: { code: ImportErrorCode | typeof MemberErrorCode.InvalidCheckList; message: string }) =>
    new ApiError(400, 'InvalidFieldValue', `The value does not fit the ${fieldType} field: ${error.message}`, [
      { errorCode: error.code, fieldName: 'Value', message: error.message },
    ]),
  fieldNotUpdatable: (fieldType: string) =>
    new ApiError(400, 'FieldNotUpdatable', `A ${fieldType} field holds rows of fields, not a value: update the fields inside its rows`, [
      { errorCode: 'FieldNotUpdatable', fieldName: 'FieldId', message: `${fieldType} fields have no value of their own` },
    ]),

  clientGone: (when = 'before its file was accepted; nothing was imported') => new ApiError(499, 'ClientClosedRequest', `The client closed the connection ${when}`),

  // ---- server
  tooManyUploads: (limit: number) =>
    new ApiError(429, 'TooManyRequests', `You are sending ${limit} import files already; send the next when one is done`, [], { 'retry-after': '5' }),
  headersTooLarge: () => new ApiError(431, 'RequestHeaderFieldsTooLarge', 'The request headers are larger than the server accepts'),
  notHttp: () => new ApiError(400, 'BadRequest', 'The request is not well-formed HTTP'),
  /** a 4xx raised by the HTTP layer under the host, answered with its status */
  refusedByHttpLayer: (status: number, message: string) => new ApiError(status, 'BadRequest', message),
  bodyTimeout: (why: string) =>
    new ApiError(408, 'RequestTimeout', `The request body did not arrive in time: ${why}`, [], { connection: 'close' }),
  busy: (limit: number) =>
    new ApiError(503, 'ServiceUnavailable', `${limit} imports are being received already; try again shortly`, [], { 'retry-after': '5' }),
  databaseUnavailable: (reason: string) =>
    new ApiError(503, 'DatabaseUnavailable', `${reason}; nothing was stored by this request. Try again shortly`, [], { 'retry-after': '5' }),
  shuttingDown: () =>
    new ApiError(503, 'ServiceUnavailable', 'The service is shutting down; send the file again shortly, to this or another instance', [], { 'retry-after': '5' }),
  internal: () => new ApiError(500, 'InternalServerError', 'An unexpected error occurred; it has been logged'),
} as const;
