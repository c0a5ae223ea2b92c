/**
 * The one table of error codes. Core code throws `EarshotError`; the HTTP API turns it into the
 * seed's JSON bodies and status codes; the UI shows `message`. Nothing downstream re-maps codes.
 */
export const ERROR_TABLE = {
  // license (see ../shared/seed/authentication.txt)
  INVALID_LICENSE: { status: 401, message: 'Invalid license key' },
  LICENSE_EXPIRED: { status: 403, message: 'License expired' },
  LICENSE_NOT_YET_VALID: { status: 403, message: 'License not yet valid' },
  QUOTA_EXCEEDED: { status: 403, message: 'Quota exceeded' },
  RATE_LIMIT_EXCEEDED: { status: 429, message: 'Rate limit exceeded' },
  // requests and media
  MISSING_PARAMETER: { status: 400, message: 'Missing required parameter' },
  INVALID_PARAMETER: { status: 400, message: 'Invalid parameter' },
  MALFORMED_JSON: { status: 400, message: 'Malformed JSON body' },
  UNSUPPORTED_FORMAT: { status: 415, message: 'Unsupported audio format' },
  FILE_TOO_LARGE: { status: 422, message: 'File too large' },
  AUDIO_TOO_LONG: { status: 422, message: 'Audio too long' },
  EMPTY_AUDIO: { status: 422, message: 'The file contains no audio samples' },
  CORRUPT_MEDIA: { status: 422, message: 'The media file is truncated or corrupt' },
  URL_FETCH_FAILED: { status: 400, message: 'Could not download the URL' },
  URL_NOT_ALLOWED: { status: 400, message: 'URL not allowed' },
  // models and engine
  MODEL_NOT_FOUND: { status: 503, message: 'Model not found' },
  MODEL_INVALID: { status: 500, message: 'Model folder is invalid' },
  DOWNLOAD_FAILED: { status: 502, message: 'Download failed' },
  CHECKSUM_MISMATCH: { status: 502, message: 'Downloaded file failed verification' },
  DISK_FULL: { status: 507, message: 'Not enough disk space' },
  DEVICE_UNAVAILABLE: { status: 503, message: 'The requested device is not available' },
  CANCELLED: { status: 499, message: 'Cancelled' },
  TIMEOUT: { status: 504, message: 'Timed out' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'Service temporarily unavailable' },
  // HTTP API
  NOT_FOUND: { status: 404, message: 'Not found' },
  HEADERS_TOO_LARGE: { status: 431, message: 'Request headers too large' },
  INTERNAL_ERROR: { status: 500, message: 'Internal server error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_TABLE;

export class EarshotError extends Error {
  readonly code: ErrorCode;
  /** Extra fields that travel with the error to API clients (e.g. `expires_at`, `retry_after`). */
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message?: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message ?? ERROR_TABLE[code].message, options);
    this.name = 'EarshotError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_TABLE[this.code].status;
  }

  /** The API body: `{error, code, ...details}` exactly as the seed documents it. */
  toJSON(): Record<string, unknown> {
    return { error: this.message, code: this.code, ...this.details };
  }
}

export function isEarshotError(e: unknown, code?: ErrorCode): e is EarshotError {
  return e instanceof EarshotError && (code === undefined || e.code === code);
}

/** Turns an AbortSignal's abort into the CANCELLED error; call at safe points in long loops. */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new EarshotError('CANCELLED', 'Cancelled by the user');
}

/** Errors cross the bridge, worker threads and job records as plain data carrying the shared code. */
export interface ApiError {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_TABLE, code);
}

/**
 * The one conversion of anything thrown to error data (`ApiError`): an EarshotError as it is, error data that came
 * back from a worker thread or a file as it was, anything else as INTERNAL_ERROR with its message (the desktop shows
 * it; the HTTP API never sends it: see `errorBody`).
 */
export function toApiError(e: unknown): ApiError {
  const err = e as { code?: unknown; message?: unknown; details?: unknown } | null | undefined;
  if (err && typeof err === 'object' && isErrorCode(err.code) && typeof err.message === 'string') {
    const details = err.details && typeof err.details === 'object' ? (err.details as Record<string, unknown>) : {};
    return { code: err.code, message: err.message, ...(Object.keys(details).length ? { details } : {}) };
  }
  const message = typeof err?.message === 'string' ? err.message : String(e);
  return { code: 'INTERNAL_ERROR', message };
}

/** Error data back into the error it was (after a worker thread or a file). */
export function fromApiError(e: ApiError): EarshotError {
  return new EarshotError(e.code, e.message, e.details ?? {});
}

/**
 * The HTTP API's body `{error, code, ...details}` for anything thrown (webhooks, job records): an EarshotError's own,
 * anything else INTERNAL_ERROR without its internal message. `server/http-errors.ts` adds status and headers.
 */
export function errorBody(e: unknown): Record<string, unknown> {
  return (isEarshotError(e) ? e : new EarshotError('INTERNAL_ERROR')).toJSON();
}
