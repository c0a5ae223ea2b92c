/**
 * Turns anything thrown in a route into the seed's error body `{error, code, ...extras}` with the table's status,
 * plus the headers clients rely on: Retry-After on 429/503. Framework errors (bad JSON, wrong content type, body too
 * large, schema violations) are mapped onto the same codes so that clients see one vocabulary.
 */
import { STATUS_CODES } from 'node:http';
import { ERROR_TABLE, EarshotError, type ErrorCode, errorBody } from '../errors.ts';

export interface HttpError {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

interface FrameworkError extends Error {
  code?: string;
  statusCode?: number;
  validation?: { keyword: string; instancePath: string; params: Record<string, unknown>; message?: string }[];
  validationContext?: string;
}

/** Largest JSON body, the limits of multipart uploads: app.ts configures the framework with these. */
export const JSON_BODY_LIMIT = 1024 * 1024;
export const MULTIPART_LIMITS = { files: 1, fields: 20, fieldSize: 64 * 1024, parts: 22 };

/** busboy's words for a body that is not valid multipart (no boundary, wrong boundary, cut short). */
const MALFORMED_MULTIPART =
  /Unexpected end of (form|multipart data)|Boundary not found|Malformed (part header|urlencoded form)|Multipart: /i;

/** The client hung up (or its upload broke off) while the request was being read: nothing to answer, nothing wrong. */
export function isClientAbort(e: unknown): boolean {
  const err = e as { code?: string; name?: string; message?: string } | undefined;
  if (!err || typeof err !== 'object') return false;
  return (
    err.code === 'ECONNRESET' ||
    err.code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    err.code === 'ECONNABORTED' ||
    err.message === 'aborted' ||
    err.message === 'Request aborted'
  );
}

/**
 * What to write on a connection whose request cannot even be parsed (Node's `clientError`): the documented body
 * instead of the framework's bare one. Undefined when nothing should be written (the client is gone).
 */
export function clientErrorResponse(err: { code?: string }, requestTimeoutSeconds: number): string | undefined {
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE') return undefined;
  const e =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? new EarshotError('TIMEOUT', `The request was not received within ${requestTimeoutSeconds} s`)
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? new EarshotError('HEADERS_TOO_LARGE', 'Request headers too large (at most 16 KB)')
        : new EarshotError('INVALID_PARAMETER', 'Malformed HTTP request');
  const body = JSON.stringify(errorBody(e));
  return `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

export interface ErrorContext {
  requestId: string;
  supportedFormats: readonly string[];
  maxSizeMb: number;
}

/** The framework's own errors, as our codes. */
function fromFramework(e: FrameworkError, ctx: ErrorContext): EarshotError | undefined {
  if (e.validation) {
    const first = e.validation[0];
    const where = e.validationContext === 'querystring' ? 'query parameter' : 'parameter';
    if (first?.keyword === 'required') {
      const missing = String(first.params.missingProperty ?? '');
      const message =
        missing === 'url' ? 'Missing required parameter: url or audio file' : `Missing required ${where}: ${missing}`;
      return new EarshotError('MISSING_PARAMETER', message);
    }
    const field = first?.instancePath.replace(/^\//, '') || first?.params.additionalProperty || 'body';
    return new EarshotError('INVALID_PARAMETER', `Invalid ${where} '${field}': ${first?.message ?? 'invalid'}`, {
      parameter: field,
    });
  }
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new EarshotError('MALFORMED_JSON', 'The request body is not valid JSON');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new EarshotError('MALFORMED_JSON', 'The request body is empty but Content-Type says JSON');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new EarshotError(
        'UNSUPPORTED_FORMAT',
        'Unsupported content type: send JSON with a url, multipart with an audio file, or raw audio bytes',
        { supported_formats: ctx.supportedFormats },
      );
    case 'FST_REQ_FILE_TOO_LARGE':
      return new EarshotError('FILE_TOO_LARGE', 'Audio file too large', { max_size_mb: ctx.maxSizeMb });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      // Only JSON bodies are held in memory (audio streams to disk under --max-size-mb): they are small by nature.
      return new EarshotError(
        'INVALID_PARAMETER',
        `The JSON body is larger than ${JSON_BODY_LIMIT / 1024} KB; send audio as multipart or raw bytes, not in JSON`,
        { max_body_kb: JSON_BODY_LIMIT / 1024 },
      );
    case 'FST_FILES_LIMIT':
      return new EarshotError('INVALID_PARAMETER', `Send one file per request, in the 'audio' field`, {
        parameter: 'audio',
      });
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new EarshotError(
        'INVALID_PARAMETER',
        `Too many form fields: at most ${MULTIPART_LIMITS.fields} option fields and one file`,
      );
    case 'FST_PROTO_VIOLATION':
      return new EarshotError('INVALID_PARAMETER', 'Malformed multipart field names');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new EarshotError('INVALID_PARAMETER', 'A path segment is too long (job ids are at most 64 characters)');
    case 'FST_ERR_BAD_URL':
      return new EarshotError('INVALID_PARAMETER', 'The request path is not validly encoded');
  }
  if (isClientAbort(e)) return new EarshotError('CANCELLED', 'The client went away before the request was read');
  if (MALFORMED_MULTIPART.test(e.message ?? '')) {
    return new EarshotError('INVALID_PARAMETER', `Malformed multipart body: ${e.message}`);
  }
  if (e.name === 'SyntaxError' && e.statusCode === 400)
    return new EarshotError('MALFORMED_JSON', 'The request body is not valid JSON');
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return new EarshotError('INVALID_PARAMETER', e.message);
  }
  return undefined;
}

export function toHttpError(error: unknown, ctx: ErrorContext): HttpError {
  const e =
    error instanceof EarshotError
      ? error
      : (fromFramework(error as FrameworkError, ctx) ??
        new EarshotError('INTERNAL_ERROR', ERROR_TABLE.INTERNAL_ERROR.message, {}, { cause: error }));
  let body = errorBody(e);
  const headers: Record<string, string> = {};
  const code: ErrorCode = e.code;
  if (code === 'UNSUPPORTED_FORMAT' && !('supported_formats' in body)) body.supported_formats = ctx.supportedFormats;
  // The documented body exactly, whichever layer (upload, download, decoder) noticed the size.
  if (code === 'FILE_TOO_LARGE') body = { error: 'Audio file too large', code, max_size_mb: ctx.maxSizeMb };
  if (e.status === 429 || e.status === 503) {
    const retry = Number(body.retry_after);
    body.retry_after = Number.isFinite(retry) && retry > 0 ? Math.ceil(retry) : e.status === 429 ? 60 : 30;
    headers['retry-after'] = String(body.retry_after);
  }
  if (e.status >= 500 && e.status !== 503) body.request_id = ctx.requestId;
  return { status: e.status, body, headers };
}
