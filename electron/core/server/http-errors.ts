/**
 * Turns anything thrown in a route into the seed's error body `{error, code, ...extras}` with the table's status,
 * plus the headers clients rely on: Retry-After on 429/503. Framework errors (bad JSON, wrong content type, body too
 * large, schema violations) are mapped onto the same codes so that clients see one vocabulary.
 */
import { ERROR_TABLE, EarshotError, type ErrorCode } from '../errors.ts';

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
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new EarshotError('FILE_TOO_LARGE', 'Audio file too large', { max_size_mb: ctx.maxSizeMb });
    case 'FST_PROTO_VIOLATION':
      return new EarshotError('INVALID_PARAMETER', 'Malformed multipart field names');
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
  let body = e.toJSON();
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
