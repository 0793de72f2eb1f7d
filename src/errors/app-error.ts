// One error type for the whole server. Domain code throws AppError with a stable code; the HTTP edge
// turns it into `{code, message, description, traceId}` (APIs), an error page (browsers), a SCIM error
// or a SAML StatusCode. Messages here are safe to show: they never carry secrets, codes or passwords.
import { ERROR_CODES, type ErrorCode } from './codes.ts';

export interface AppErrorOptions {
  /** Extra, user-safe detail. Overrides the code's default description. */
  description?: string;
  /** Structured, user-safe data for the edge (e.g. remaining attempts). */
  data?: Record<string, unknown>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly description: string;
  readonly data: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    const def = ERROR_CODES[code];
    super(def.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = def.status;
    this.description = options.description ?? def.description;
    this.data = options.data;
  }
}

/** Throws AppError(code) unless `value` is truthy; narrows the type like an assertion. */
export function assert(value: unknown, code: ErrorCode, options?: AppErrorOptions): asserts value {
  if (!value) throw new AppError(code, options);
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
