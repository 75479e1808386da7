// Domain errors carry a stable protocol code; transports map them to HTTP statuses or socket acks.
import { ZodError, type ZodType } from 'zod';
import { ERROR_CODES, type ErrorBody, type ErrorCode } from '../protocol/errors.ts';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string = ERROR_CODES[code],
    readonly extra: Pick<ErrorBody, 'retryAfterMs' | 'issues' | 'assignee' | 'workspaces'> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message, ...this.extra };
  }
}

export const HTTP_STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  NOT_FOUND: 404,
  SITE_KEY_UNKNOWN: 401,
  ORIGIN_NOT_ALLOWED: 403,
  AUTH_REQUIRED: 401,
  AUTH_INVALID: 401,
  AUTH_EXPIRED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNKNOWN_EVENT: 400,
  CONNECTION_LIMIT: 429,
  PROTOCOL_VIOLATION: 400,
  UNAVAILABLE: 503,
  OVERLOADED: 503,
  SIGNATURE_INVALID: 401,
  SIGNATURE_EXPIRED: 401,
  ARTICLE_NOT_FOUND: 404,
  CSRF_REJECTED: 403,
  WORKSPACE_REQUIRED: 409,
  INTERNAL: 500,
};

/** Parse untrusted input or throw VALIDATION_FAILED listing every bad field. */
export function parseInput<T>(schema: ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw validationError(result.error);
}

/** Issues listed in one error; the message names the first. */
const MAX_ISSUES = 20;
/** Path segments are field names the schema declares; anything else (a record's key) is not repeated. */
const SAFE_SEGMENT = /^[A-Za-z0-9_$-]{1,64}$/;

/**
 * VALIDATION_FAILED listing the bad fields, without ever repeating the input: unknown fields are counted,
 * not named (a 100,000-key object must not come back as a 2 MB error), and messages are bounded.
 */
export function validationError(error: ZodError): AppError {
  const issues = error.issues.slice(0, MAX_ISSUES).map((i) => ({
    path: i.path.map((seg) => (typeof seg === 'number' || SAFE_SEGMENT.test(String(seg)) ? String(seg) : '?')).join('.') || '(root)',
    message:
      i.code === 'unrecognized_keys'
        ? `${i.keys.length} unknown field${i.keys.length === 1 ? '' : 's'}: only the documented fields are accepted`
        : i.message.slice(0, 200),
  }));
  const first = issues[0];
  return new AppError(
    'VALIDATION_FAILED',
    first ? `Invalid ${first.path}: ${first.message}` : ERROR_CODES.VALIDATION_FAILED,
    { issues },
  );
}

/** Turn anything thrown into a body that is safe to send: unknown errors never leak their text. */
export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof AppError) return error.toBody();
  if (error instanceof ZodError) return validationError(error).toBody();
  return { code: 'INTERNAL', message: ERROR_CODES.INTERNAL };
}
