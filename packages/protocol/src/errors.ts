/**
 * The one registry of protocol error codes. Every `err` frame and every HTTP error body carries one of
 * these codes. `status` is the HTTP status the HTTP twins answer with.
 *
 * Codes are stable: a code is never renamed, and a retired code is listed in {@link RETIRED_ERROR_CODES}
 * and never reused. `docs/reference/errors.md` is kept in step with this map by a test.
 */
export const ErrorCodes = {
  BAD_FRAME: { status: 400, description: 'The frame is not a JSON object, or a field has the wrong type or is missing.' },
  UNKNOWN_OP: { status: 400, description: 'The frame names an `op` the hub does not know.' },
  UNAUTHENTICATED: { status: 401, description: 'No valid `hello` yet, or the token is missing, invalid or expired.' },
  FORBIDDEN: { status: 403, description: 'The token does not allow this channel, document or operation.' },
  CONTRACT_VIOLATION: { status: 422, description: 'The message or update does not match the contract; `details` lists each failing field.' },
  UNKNOWN_CHANNEL: { status: 404, description: 'The channel name is not valid, or the hub only accepts channels that its contracts or config declare.' },
  TOO_LARGE: { status: 413, description: 'The frame or body is over a configured limit.' },
  RATE_LIMITED: {
    status: 429,
    description:
      'A count or rate limit was reached (in-flight, subscriptions, queue, publish or HTTP rate, connections, failed hellos); `details.limit` names it, `details.retry_after_ms` says when to retry; slow down or raise the limit.',
  },
  CONFLICT: { status: 409, description: 'A compare-and-set failed: the version given is not the current one.' },
  NOT_FOUND: { status: 404, description: 'The subscription, request, document or resource does not exist.' },
  TIMEOUT: { status: 504, description: 'No answer within the time allowed.' },
  UNAVAILABLE: { status: 503, description: 'The target component is not connected, or the store cannot be reached.' },
  INTERNAL: { status: 500, description: 'An unexpected fault in the hub; the message was not accepted.' },
} as const satisfies Record<string, { status: number; description: string }>;

/** A protocol error code. */
export type ErrorCode = keyof typeof ErrorCodes;

/** Codes that were once in use and must never be reused. */
export const RETIRED_ERROR_CODES: readonly string[] = [];

/** Every current error code, in registry order. */
export const ERROR_CODE_LIST = Object.keys(ErrorCodes) as ErrorCode[];

/** True when `code` is a current protocol error code. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ErrorCodes, code);
}

/** HTTP status for a protocol error code. */
export function httpStatusFor(code: ErrorCode): number {
  return ErrorCodes[code].status;
}

/** One failing field of a contract check, as carried in `details` of a `CONTRACT_VIOLATION`. */
export interface ViolationDetail {
  /** JSON pointer into `data` (`""` for the whole payload). */
  path: string;
  /** The JSON Schema keyword that failed (`type`, `required`, `enum`, `minimum`, …). */
  rule: string;
  /** What the contract expects there, in words or as the schema value. */
  expected?: unknown;
  /** A readable sentence. */
  message?: string;
}

/**
 * An error carrying a protocol code, thrown by the hub internals and the client SDK alike.
 * `details` goes out unchanged in the `err` frame.
 */
export class SwitchboardError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SwitchboardError';
    this.code = code;
    if (details !== undefined) this.details = details;
  }
}
