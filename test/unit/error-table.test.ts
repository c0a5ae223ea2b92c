/**
 * One table of errors (core/errors.ts) → each wire shape: every code through error data (IPC, worker threads, job
 * records) and back, the HTTP API's body and status (server/http-errors.ts), and the body job records and webhooks
 * carry. Unknown throwables become INTERNAL_ERROR everywhere, with the internal message kept only for the desktop.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toApiError as contractToApiError } from '../../electron/contract/dispatch.ts';
import {
  ERROR_TABLE,
  EarshotError,
  type ErrorCode,
  errorBody,
  fromApiError,
  toApiError,
} from '../../electron/core/errors.ts';
import { toHttpError } from '../../electron/core/server/http-errors.ts';

const ctx = { requestId: 'req-1', supportedFormats: ['wav'], maxSizeMb: 100 };

test('every code keeps its code, message and details through each conversion', () => {
  assert.equal(contractToApiError, toApiError, 'the contract uses core’s conversion, not a copy');
  for (const code of Object.keys(ERROR_TABLE) as ErrorCode[]) {
    const e = new EarshotError(code, `about ${code}`, { extra: 1 });
    const data = toApiError(e);
    assert.deepEqual(data, { code, message: `about ${code}`, details: { extra: 1 } }, code);
    // Across a worker thread (structured clone) and back.
    const back = fromApiError(structuredClone(data));
    assert.ok(back instanceof EarshotError);
    assert.deepEqual([back.code, back.message, back.details, back.status], [code, e.message, e.details, e.status]);
    assert.deepEqual(toApiError(structuredClone(data)), data, `${code}: data stays data`);
    // The HTTP API: the table's status and the documented body.
    const http = toHttpError(e, ctx);
    assert.equal(http.status, ERROR_TABLE[code].status, code);
    assert.equal(http.body.code, code);
    assert.equal(errorBody(e).code, code);
    assert.equal(errorBody(e).error, e.message);
  }
  assert.deepEqual(toApiError(new EarshotError('CANCELLED', 'x')), { code: 'CANCELLED', message: 'x' });
});

test('anything else is INTERNAL_ERROR: the desktop sees its message, the API does not', () => {
  const boom = new Error('secret path /home/me');
  assert.deepEqual(toApiError(boom), { code: 'INTERNAL_ERROR', message: 'secret path /home/me' });
  assert.deepEqual(toApiError({ code: 'ENOENT', message: 'nope' }), {
    code: 'INTERNAL_ERROR',
    message: 'nope',
  });
  assert.deepEqual(errorBody(boom), { error: ERROR_TABLE.INTERNAL_ERROR.message, code: 'INTERNAL_ERROR' });
  const http = toHttpError(boom, ctx);
  assert.equal(http.status, 500);
  assert.equal(http.body.error, ERROR_TABLE.INTERNAL_ERROR.message);
  assert.equal(http.body.request_id, 'req-1');
});
