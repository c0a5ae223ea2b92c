/**
 * The server's pure parts, without a process: the bounded inference queue, the error mapping (including the 500 body
 * that no real request here can provoke), request-id acceptance and Authorization parsing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configFromArgs } from '../../electron/cli/serve.ts';
import { EarshotError } from '../../electron/core/errors.ts';
import { acceptRequestId, redactUrl } from '../../electron/core/server/app.ts';
import { parseAuthorization } from '../../electron/core/server/auth.ts';
import { toHttpError } from '../../electron/core/server/http-errors.ts';
import { InferenceQueue } from '../../electron/core/server/inference-queue.ts';
import { stripPunctuation } from '../../electron/core/server/transcriber.ts';

const ctx = { requestId: 'req_test', supportedFormats: ['wav', 'mp3'], maxSizeMb: 100 };

test('the queue runs `workers` tasks at once, keeps `capacity` waiting in order, refuses the rest with 503', async () => {
  const queue = new InferenceQueue(2, 3);
  const order: number[] = [];
  const gates: (() => void)[] = [];
  const task = (n: number) => () =>
    new Promise<number>((resolve) => {
      order.push(n);
      gates.push(() => resolve(n));
    });
  const running = [1, 2, 3, 4, 5].map((n) => queue.run(task(n)));
  assert.equal(queue.active, 2);
  assert.equal(queue.depth, 3);
  assert.equal(queue.full, true);
  await assert.rejects(queue.run(task(6)), (e: unknown) => {
    assert.ok(e instanceof EarshotError && e.code === 'SERVICE_UNAVAILABLE');
    assert.ok(Number.isInteger(e.details.retry_after) && (e.details.retry_after as number) >= 1);
    return true;
  });
  while (order.length < 5) {
    gates.shift()?.();
    await new Promise((r) => setImmediate(r));
  }
  for (const g of gates.splice(0)) g();
  assert.deepEqual(await Promise.all(running), [1, 2, 3, 4, 5]);
  assert.deepEqual(order, [1, 2, 3, 4, 5], 'FIFO');
  assert.equal(queue.active, 0);
  assert.equal(queue.depth, 0);
});

test('a failing or aborted task frees its slot', async () => {
  const queue = new InferenceQueue(1, 1);
  await assert.rejects(
    queue.run(async () => Promise.reject(new Error('boom'))),
    /boom/,
  );
  assert.equal(queue.active, 0);
  let release!: () => void;
  const first = queue.run(() => new Promise<void>((r) => (release = r)));
  const controller = new AbortController();
  const waiting = queue.run(async () => 'never', controller.signal);
  controller.abort(new Error('gone'));
  await assert.rejects(waiting, /gone/);
  assert.equal(queue.depth, 0);
  release();
  await first;
  assert.equal(await queue.run(async () => 'ok'), 'ok');
  assert.equal(queue.active, 0);
});

test('errors map to the documented bodies and headers', () => {
  const limited = toHttpError(new EarshotError('RATE_LIMIT_EXCEEDED', 'Rate limit exceeded', { retry_after: 7 }), ctx);
  assert.equal(limited.status, 429);
  assert.deepEqual(limited.body, { error: 'Rate limit exceeded', code: 'RATE_LIMIT_EXCEEDED', retry_after: 7 });
  assert.equal(limited.headers['retry-after'], '7');
  const busy = toHttpError(new EarshotError('SERVICE_UNAVAILABLE', 'No ASR workers available'), ctx);
  assert.equal(busy.status, 503);
  assert.equal(busy.body.retry_after, 30);
  assert.equal(busy.headers['retry-after'], '30');
  const crash = toHttpError(new TypeError('cannot read x of undefined'), ctx);
  assert.equal(crash.status, 500);
  assert.deepEqual(crash.body, { error: 'Internal server error', code: 'INTERNAL_ERROR', request_id: 'req_test' });
  const format = toHttpError(new EarshotError('UNSUPPORTED_FORMAT'), ctx);
  assert.deepEqual(format.body.supported_formats, ['wav', 'mp3']);
  const big = toHttpError(new EarshotError('FILE_TOO_LARGE', 'x', { max_bytes: 1 }), ctx);
  assert.deepEqual(big.body, { error: 'Audio file too large', code: 'FILE_TOO_LARGE', max_size_mb: 100 });
  const json = toHttpError(
    Object.assign(new SyntaxError('Unexpected end'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' }),
    ctx,
  );
  assert.equal(json.body.code, 'MALFORMED_JSON');
});

test('X-Request-ID is kept when plain and short, replaced otherwise; Authorization takes Token or Bearer', () => {
  assert.equal(acceptRequestId('debug-123'), 'debug-123');
  assert.match(acceptRequestId('has spaces and "quotes"'), /^req_[0-9a-f]{20}$/);
  assert.match(acceptRequestId('x'.repeat(200)), /^req_/);
  assert.match(acceptRequestId(undefined), /^req_/);
  assert.equal(parseAuthorization('Token abc.def'), 'abc.def');
  assert.equal(parseAuthorization('bearer abc'), 'abc');
  assert.equal(parseAuthorization('Basic abc'), undefined);
  assert.equal(parseAuthorization('Token'), undefined);
  assert.equal(parseAuthorization(undefined), undefined);
});

test('punctuate=false strips punctuation but keeps apostrophes inside words', () => {
  assert.equal(stripPunctuation("Hello, world! Don't stop."), "Hello world Don't stop");
});

test('logged URLs keep harmless options and redact the rest (callback URLs may carry tokens)', () => {
  const logged = redactUrl(
    `/v1/listen?language=en&callback_url=${encodeURIComponent('https://hooks.example/h?token=s3cret')}`,
  );
  assert.ok(!logged.includes('s3cret'));
  assert.match(logged, /language=en/);
  assert.equal(redactUrl('/health'), '/health');
});

test('serve options: flags, environment fallbacks and defaults', () => {
  const config = configFromArgs([], {
    LICENSE_KEY: ' k1 , k2,, ',
    EARSHOT_TLS_CERT: '/c.pem',
    EARSHOT_TLS_KEY: '/k.pem',
    EARSHOT_ALLOW_PRIVATE_URLS: '1',
  });
  assert.ok(config !== 'help');
  assert.deepEqual(config.licenseKeys, ['k1', 'k2']);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.port, 7100);
  assert.equal(config.maxSizeMb, 100);
  assert.equal(config.requestTimeoutSeconds, 300);
  assert.equal(config.maxAudioSeconds, 7200);
  assert.equal(config.tlsCert, '/c.pem');
  assert.equal(config.allowPrivateUrls, true);
  const flags = configFromArgs(['--host', '0.0.0.0', '--port', '8080', '--queue', '0', '--max-size-mb', '5'], {});
  assert.ok(flags !== 'help');
  assert.deepEqual(
    [flags.host, flags.port, flags.queueSize, flags.maxSizeMb, flags.allowPrivateUrls],
    ['0.0.0.0', 8080, 0, 5, false],
  );
  assert.throws(() => configFromArgs(['--workers', '0'], {}), /--workers must be a positive integer/);
  assert.throws(() => configFromArgs(['--tls-key', 'k.pem'], {}), /both --tls-cert and --tls-key/);
});
