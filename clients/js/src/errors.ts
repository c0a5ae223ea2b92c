/**
 * The server's documented error codes as classes, so callers can `catch (e) { if (e instanceof RateLimitError) ... }`.
 * Every error carries the HTTP status, the machine code, the seconds the server asked us to wait and the request id;
 * none of them ever contains the license key.
 */

export interface ErrorInit {
  status: number;
  code: string;
  /** The body's other fields (expires_at, supported_formats, max_size_mb, ...). */
  details?: Record<string, unknown>;
  requestId?: string;
  retryAfter?: number;
}

export class SmallestApiError extends Error {
  /** HTTP status; 0 when no response arrived (connection failure, client-side timeout). */
  readonly status: number;
  /** The server's machine code (INVALID_LICENSE, RATE_LIMIT_EXCEEDED, ...), or CONNECTION_ERROR / TIMEOUT. */
  readonly code: string;
  readonly details: Record<string, unknown>;
  readonly requestId?: string;
  /** Seconds the server asked us to wait (429/503), when it said. */
  readonly retryAfter?: number;

  constructor(message: string, init: ErrorInit, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? {};
    this.requestId = init.requestId;
    this.retryAfter = init.retryAfter;
  }
}

/** The key was refused or its license does not allow the request now (401/403). */
export class LicenseError extends SmallestApiError {}
export class InvalidLicenseError extends LicenseError {}
export class LicenseExpiredError extends LicenseError {}
export class LicenseNotYetValidError extends LicenseError {}
export class QuotaExceededError extends LicenseError {}
/** 429: the license's per-minute or concurrency limit; `retryAfter` says when to come back. */
export class RateLimitError extends SmallestApiError {}

/** 400: the request itself is wrong; sending it again will not help. */
export class BadRequestError extends SmallestApiError {}
export class MissingParameterError extends BadRequestError {}
export class InvalidParameterError extends BadRequestError {}
export class MalformedJsonError extends BadRequestError {}
export class UrlNotAllowedError extends BadRequestError {}
export class UrlFetchError extends BadRequestError {}

/** 415/422: the audio cannot be transcribed as sent. */
export class MediaError extends SmallestApiError {}
export class UnsupportedFormatError extends MediaError {}
export class FileTooLargeError extends MediaError {}
export class AudioTooLongError extends MediaError {}
export class EmptyAudioError extends MediaError {}
export class CorruptMediaError extends MediaError {}

export class NotFoundError extends SmallestApiError {}
/** 503: no worker free or the model still loading; `retryAfter` says when to come back. */
export class ServiceUnavailableError extends SmallestApiError {}
/** 504 from the server, or no answer within the client's own time limit (status 0). */
export class RequestTimeoutError extends SmallestApiError {}
/** 500 and other 5xx answers. */
export class ServerError extends SmallestApiError {}
/** No HTTP answer at all: refused, reset, DNS failure (status 0, code CONNECTION_ERROR). */
export class ApiConnectionError extends SmallestApiError {}

type ErrorClass = new (message: string, init: ErrorInit, options?: { cause?: unknown }) => SmallestApiError;

const BY_CODE: Record<string, ErrorClass> = {
  INVALID_LICENSE: InvalidLicenseError,
  LICENSE_EXPIRED: LicenseExpiredError,
  LICENSE_NOT_YET_VALID: LicenseNotYetValidError,
  QUOTA_EXCEEDED: QuotaExceededError,
  RATE_LIMIT_EXCEEDED: RateLimitError,
  MISSING_PARAMETER: MissingParameterError,
  INVALID_PARAMETER: InvalidParameterError,
  MALFORMED_JSON: MalformedJsonError,
  URL_NOT_ALLOWED: UrlNotAllowedError,
  URL_FETCH_FAILED: UrlFetchError,
  UNSUPPORTED_FORMAT: UnsupportedFormatError,
  FILE_TOO_LARGE: FileTooLargeError,
  AUDIO_TOO_LONG: AudioTooLongError,
  EMPTY_AUDIO: EmptyAudioError,
  CORRUPT_MEDIA: CorruptMediaError,
  NOT_FOUND: NotFoundError,
  SERVICE_UNAVAILABLE: ServiceUnavailableError,
  TIMEOUT: RequestTimeoutError,
  INTERNAL_ERROR: ServerError,
};

/** For answers without a known code (another server, a proxy in between). */
function classForStatus(status: number): ErrorClass {
  if (status === 400) return BadRequestError;
  if (status === 401) return InvalidLicenseError;
  if (status === 403) return LicenseError;
  if (status === 404) return NotFoundError;
  if (status === 413 || status === 415 || status === 422) return MediaError;
  if (status === 429) return RateLimitError;
  if (status === 503) return ServiceUnavailableError;
  if (status === 504) return RequestTimeoutError;
  if (status >= 500) return ServerError;
  return SmallestApiError;
}

/**
 * The error for an error body `{error, code, ...details}`: from an HTTP answer, or the `error` of a failed job
 * (as polled or as delivered to your webhook).
 */
export function errorFromBody(
  body: Record<string, unknown>,
  init: { status?: number; requestId?: string; retryAfter?: number } = {},
): SmallestApiError {
  const { error, code, ...details } = body;
  const status = init.status ?? 0;
  const known = typeof code === 'string' ? BY_CODE[code] : undefined;
  const Class = known ?? classForStatus(status);
  const message = typeof error === 'string' && error ? error : `HTTP ${status}`;
  const retryAfter = init.retryAfter ?? positiveNumber(body.retry_after);
  const requestId = init.requestId ?? (typeof body.request_id === 'string' ? body.request_id : undefined);
  return new Class(message, {
    status,
    code: typeof code === 'string' ? code : `HTTP_${status}`,
    details,
    requestId,
    retryAfter,
  });
}

/** The error for a non-2xx fetch Response (reads its body). */
export async function errorFromResponse(res: Response): Promise<SmallestApiError> {
  const text = await res.text().catch(() => '');
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    body = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : { error: text.slice(0, 200) };
  } catch {
    body = { error: text.slice(0, 200) };
  }
  return errorFromBody(body, {
    status: res.status,
    requestId: res.headers.get('x-request-id') ?? undefined,
    retryAfter: positiveNumber(body.retry_after) ?? retryAfterHeader(res.headers.get('retry-after')),
  });
}

/** `Retry-After` is either seconds or an HTTP date. */
export function retryAfterHeader(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = positiveNumber(value.trim());
  if (seconds !== undefined) return seconds;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - now) / 1000);
}

function positiveNumber(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}
