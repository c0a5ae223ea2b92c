/** Errors the client throws: the server's code and extra fields, the HTTP status and the request id. */
export class SmallestApiError extends Error {
  readonly status: number;
  /** The server's machine code (INVALID_LICENSE, RATE_LIMIT_EXCEEDED, ...), or NETWORK_ERROR / TIMEOUT. */
  readonly code: string;
  readonly details: Record<string, unknown>;
  readonly requestId?: string;
  /** Seconds the server asked us to wait (429/503), when it said. */
  readonly retryAfter?: number;

  constructor(
    message: string,
    init: { status: number; code: string; details?: Record<string, unknown>; requestId?: string; retryAfter?: number },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SmallestApiError';
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? {};
    this.requestId = init.requestId;
    this.retryAfter = init.retryAfter;
  }

  /** Worth retrying: rate limits, server errors and network failures. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}
