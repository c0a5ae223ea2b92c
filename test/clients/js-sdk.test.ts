/**
 * The JavaScript client (clients/js, `SmallestClient`) against a real `earshot serve`: every documented error as its
 * class, the retry rules (429 with retry_after, 503, a reset connection; never other 4xx or 500), the client-side
 * rate limit, callback jobs polled to completion, and a license key that never shows. Then the package as users get
 * it: `npm pack`, installed into a fresh project under the seed's name, where the seed's snippet runs verbatim, the
 * CommonJS build and the type declarations work, and the ES module build runs in Chromium.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import util, { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { after, before, describe, test } from 'node:test';
import {
  ApiConnectionError,
  AudioTooLongError,
  BadRequestError,
  CorruptMediaError,
  EmptyAudioError,
  errorFromResponse,
  FileTooLargeError,
  InvalidLicenseError,
  InvalidParameterError,
  LicenseError,
  LicenseExpiredError,
  LicenseNotYetValidError,
  MalformedJsonError,
  MediaError,
  MissingParameterError,
  NotFoundError,
  QuotaExceededError,
  RateLimiter,
  RateLimitError,
  RequestTimeoutError,
  type RetryEvent,
  ServerError,
  ServiceUnavailableError,
  SmallestApiError,
  SmallestClient,
  type SpeakerTurn,
  UnsupportedFormatError,
  UrlFetchError,
  UrlNotAllowedError,
} from '../../clients/js/src/index.ts';
import { eventually } from '../server/harness.ts';
import { jsDir, MAX_DURATION_S, MAX_SIZE_MB, REPO, type SdkWorld, sdkModel, startSdkWorld, tone } from './harness.ts';
import { fillSeedSnippet, SEED_JAVASCRIPT } from './seed-snippets.ts';

const execFileAsync = promisify(execFile);

type ErrorClass = abstract new (...args: never[]) => SmallestApiError;

describe('JavaScript client against earshot serve', { skip: sdkModel() ? false : 'no speech model' }, () => {
  let world: SdkWorld;
  let speech: Uint8Array;

  before(async () => {
    world = await startSdkWorld('jssdk');
    speech = new Uint8Array(readFileSync(world.speech));
  });
  after(async () => {
    await world?.stop();
  });

  const client = (
    licenseKey = world.keys.valid,
    options: Partial<ConstructorParameters<typeof SmallestClient>[0]> = {},
  ) => new SmallestClient({ apiUrl: world.serve.url, licenseKey, ...options });
  const noRetry = (licenseKey?: string) => client(licenseKey, { maxRetries: 0 });

  /**
   * Holds the only worker (and one of `key`'s concurrency slots) with a recording longer than the budget, for the
   * budget's length.
   */
  async function occupy(key: string): Promise<{ done: Promise<unknown> }> {
    let answered: string | undefined;
    const done = fetch(`${world.serve.url}/v1/listen`, {
      method: 'POST',
      headers: { authorization: `Token ${key}`, 'content-type': 'audio/wav' },
      body: readFileSync(world.long),
    })
      .then((r) => r.text())
      .then((text) => {
        answered = text;
      });
    await eventually(async () => {
      assert.equal(answered, undefined, 'the long recording was answered before it took the worker');
      return (await (await fetch(`${world.serve.url}/health?detailed=true`)).json()).queue.active === 1;
    }, 30_000);
    return { done };
  }

  /** Holds one of `key`'s concurrency slots (not the worker) with a URL download that stalls until released. */
  async function holdSlot(key: string): Promise<{ done: Promise<unknown> }> {
    const done = fetch(`${world.serve.url}/v1/listen`, {
      method: 'POST',
      headers: { authorization: `Token ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${world.files.url}/stall.wav` }),
    }).then((r) => r.text());
    await eventually(async () => (await (await fetch(`${world.files.url}/stalled`)).json()).stalled > 0, 10_000);
    return { done };
  }

  async function expectError(
    promise: Promise<unknown>,
    Class: ErrorClass,
    status: number,
    code: string,
  ): Promise<SmallestApiError> {
    const error = await promise.then(
      () => assert.fail(`expected ${Class.name}`),
      (e: unknown) => e,
    );
    assert.ok(error instanceof Class, `${code}: got ${String(error)}`);
    assert.ok(error instanceof SmallestApiError);
    assert.equal(error.name, Class.name);
    assert.equal(error.status, status);
    assert.equal(error.code, code);
    return error;
  }

  test('transcribes a URL, a path, bytes and a Blob alike; health answers without a key', async () => {
    const c = client();
    const byUrl = await c.transcribeUrl(`${world.files.url}/hello.wav`, { timestamps: true, requestId: 'js-url-1' });
    assert.equal(byUrl.request_id, 'js-url-1');
    assert.equal(byUrl.language, 'en');
    assert.ok(byUrl.text.length > 0 && byUrl.duration > 1);
    assert.ok(byUrl.words?.length && byUrl.words.every((w) => w.end >= w.start));
    const texts = [
      (await c.transcribeFile(world.speech)).text,
      (await c.transcribeFile(speech)).text,
      (await c.transcribeFile(speech.buffer as ArrayBuffer)).text,
      (await c.transcribeFile(new Blob([speech as Uint8Array<ArrayBuffer>]), { filename: 'hello.wav' })).text,
    ];
    assert.deepEqual(new Set(texts), new Set([byUrl.text]));
    assert.deepEqual(await new SmallestClient({ apiUrl: world.serve.url, licenseKey: 'unused' }).health(), {
      status: 'healthy',
    });
    assert.ok('components' in (await c.health({ detailed: true })));
  });

  test('diarize: speakers[] and a speaker on every word, typed; none without it', async () => {
    const c = client();
    const result = await c.transcribeFile(speech, { diarize: true, timestamps: true });
    const speakers: SpeakerTurn[] = result.speakers ?? [];
    assert.ok(speakers.length > 0, JSON.stringify(result));
    for (const s of speakers) assert.ok(/^SPEAKER_\d\d$/.test(s.speaker) && s.end > s.start, JSON.stringify(s));
    const squash = (t: string) => t.split(/\s+/).filter(Boolean).join(' ');
    assert.equal(squash(speakers.map((s) => s.text).join(' ')), squash(result.text));
    const labels = new Set(speakers.map((s) => s.speaker));
    assert.ok(result.words?.length && result.words.every((w) => w.speaker !== undefined && labels.has(w.speaker)));
    const plain = await c.transcribeFile(speech, { timestamps: true });
    assert.equal(plain.speakers, undefined);
    assert.ok(plain.words?.length && plain.words.every((w) => w.speaker === undefined));
  });

  test('license errors: invalid, expired, not yet valid, out of quota, rate limited', async () => {
    const invalid = await expectError(
      noRetry('not-a-license-key').transcribeUrl(`${world.files.url}/hello.wav`),
      InvalidLicenseError,
      401,
      'INVALID_LICENSE',
    );
    assert.ok(invalid instanceof LicenseError && invalid.requestId);
    const expired = await expectError(
      noRetry(world.keys.expired).transcribeFile(speech),
      LicenseExpiredError,
      403,
      'LICENSE_EXPIRED',
    );
    assert.match(String(expired.details.expires_at), /Z$/);
    const early = await expectError(
      noRetry(world.keys.notYetValid).transcribeFile(speech),
      LicenseNotYetValidError,
      403,
      'LICENSE_NOT_YET_VALID',
    );
    assert.ok(early.details.starts_at);
    // The first clip may be charged before the quota runs out; by the second there is none left.
    const quota = noRetry(world.keys.quota);
    const quotaError = await expectError(
      quota.transcribeFile(speech).then(() => quota.transcribeFile(speech)),
      QuotaExceededError,
      403,
      'QUOTA_EXCEEDED',
    );
    assert.ok(quotaError.details.resets_at);

    const { done } = await holdSlot(world.keys.single);
    const limited = await expectError(
      noRetry(world.keys.single).transcribeFile(speech),
      RateLimitError,
      429,
      'RATE_LIMIT_EXCEEDED',
    );
    assert.equal(limited.retryAfter, 1);
    world.release();
    await done;
  });

  test('request and media errors, each as its class', async () => {
    const c = noRetry();
    // One at a time (thunks): the server has a single worker and no waiting room.
    const cases: [() => Promise<unknown>, ErrorClass, number, string][] = [
      [() => c.transcribeFile(new Uint8Array(0)), MissingParameterError, 400, 'MISSING_PARAMETER'],
      [
        () => c.transcribeUrl(`${world.files.url}/hello.wav`, { language: 'x!' }),
        InvalidParameterError,
        400,
        'INVALID_PARAMETER',
      ],
      [
        () => c.transcribeUrl(`${world.files.url}/hello.wav`, { diarize: true, num_speakers: 0 }),
        InvalidParameterError,
        400,
        'INVALID_PARAMETER',
      ],
      [() => c.transcribeUrl('s3://bucket/audio.wav'), UrlNotAllowedError, 400, 'URL_NOT_ALLOWED'],
      [() => c.transcribeUrl(`${world.files.url}/missing.wav`), UrlFetchError, 400, 'URL_FETCH_FAILED'],
      [
        () => c.transcribeFile(new TextEncoder().encode('plain text, not audio '.repeat(20))),
        UnsupportedFormatError,
        415,
        'UNSUPPORTED_FORMAT',
      ],
      [() => c.transcribeFile(tone(world.dir, MAX_DURATION_S + 100)), AudioTooLongError, 422, 'AUDIO_TOO_LONG'],
      [() => c.transcribeFile(tone(world.dir, 0)), EmptyAudioError, 422, 'EMPTY_AUDIO'],
      [() => c.transcribeFile(world.corrupt), CorruptMediaError, 422, 'CORRUPT_MEDIA'],
      [() => c.getJob('job_00000000000000000000'), NotFoundError, 404, 'NOT_FOUND'],
    ];
    for (const [call, Class, status, code] of cases) {
      const e = await expectError(call(), Class, status, code);
      assert.ok(e.requestId, `${code} keeps the X-Request-ID`);
      if (status === 400) assert.ok(e instanceof BadRequestError);
      if (status === 415 || status === 422) assert.ok(e instanceof MediaError);
    }
    const unsupported = await expectError(
      c.transcribeFile(new TextEncoder().encode('x'.repeat(300))),
      UnsupportedFormatError,
      415,
      'UNSUPPORTED_FORMAT',
    );
    assert.ok((unsupported.details.supported_formats as string[]).includes('wav'));

    // The client never sends malformed JSON itself; the server's real answer to it goes through the same mapping.
    const res = await fetch(`${world.serve.url}/v1/listen`, {
      method: 'POST',
      headers: { authorization: `Token ${world.keys.valid}`, 'content-type': 'application/json' },
      body: '{not json',
    });
    const malformed = await errorFromResponse(res);
    assert.ok(malformed instanceof MalformedJsonError && malformed instanceof BadRequestError);
    assert.equal(malformed.code, 'MALFORMED_JSON');
  });

  test('an oversize file is refused with FileTooLargeError and the limit', async () => {
    const e = await expectError(
      // 16 kB a second: over the cap
      noRetry().transcribeFile(tone(world.dir, Math.ceil((MAX_SIZE_MB * 1024 * 1024) / 16000) + 10)),
      FileTooLargeError,
      422,
      'FILE_TOO_LARGE',
    );
    assert.equal(e.details.max_size_mb, MAX_SIZE_MB);
  });

  test('503 and 504 as their classes; a dead port is a clear connection error', async () => {
    const { done } = await occupy(world.keys.valid);
    const busy = await expectError(
      noRetry().transcribeFile(speech),
      ServiceUnavailableError,
      503,
      'SERVICE_UNAVAILABLE',
    );
    assert.ok((busy.retryAfter ?? 0) >= 1);
    world.release();
    await done;

    // The download never finishes, so the server's 4 s budget runs out.
    const timeout = noRetry().transcribeUrl(`${world.files.url}/stall.wav`);
    await expectError(timeout, RequestTimeoutError, 504, 'TIMEOUT');
    world.release();

    const retries: RetryEvent[] = [];
    const dead = new SmallestClient({
      apiUrl: world.deadUrl,
      licenseKey: world.keys.valid,
      maxRetries: 2,
      backoffMs: 10,
      onRetry: (r) => retries.push(r),
    });
    const e = await expectError(
      dead.transcribeUrl('https://example.com/a.wav'),
      ApiConnectionError,
      0,
      'CONNECTION_ERROR',
    );
    assert.match(e.message, new RegExp(`^Cannot connect to ${world.deadUrl}: ECONNREFUSED`));
    assert.equal(retries.length, 2, 'connection failures are retried');
    await assert.rejects(dead.health(), ApiConnectionError);
  });

  test('429 with retry_after is retried, then succeeds', async () => {
    const retries: RetryEvent[] = [];
    const c = client(world.keys.single, { backoffMs: 50, onRetry: (r) => retries.push(r) });
    const { done } = await holdSlot(world.keys.single);
    setTimeout(() => world.release(), 1500);
    const result = await c.transcribeFile(speech);
    assert.ok(result.text.length > 0);
    await done;
    assert.ok(retries.length >= 1);
    assert.equal(retries[0].error.status, 429);
    assert.ok(retries[0].error instanceof RateLimitError);
    assert.ok(retries[0].delayMs >= 1000, 'waited at least the server-given retry_after');
  });

  test('503 is retried honouring retry_after, then succeeds', async () => {
    const retries: RetryEvent[] = [];
    // The worker stays busy for the server's whole budget (4 s): enough retries to outlast it on a slow machine.
    const c = client(world.keys.valid, { backoffMs: 50, maxRetries: 20, onRetry: (r) => retries.push(r) });
    const { done } = await occupy(world.keys.valid);
    const result = await c.transcribeUrl(`${world.files.url}/hello.wav`);
    assert.ok(result.text.length > 0);
    await done;
    assert.ok(retries[0].error instanceof ServiceUnavailableError);
    assert.ok(retries[0].delayMs >= (retries[0].error.retryAfter ?? 0) * 1000);
  });

  test('a reset connection is retried; other 4xx are not', async () => {
    const retries: RetryEvent[] = [];
    const viaProxy = new SmallestClient({
      apiUrl: world.resetProxy.url,
      licenseKey: world.keys.valid,
      backoffMs: 50,
      onRetry: (r) => retries.push(r),
    });
    assert.ok((await viaProxy.transcribeFile(speech)).text.length > 0);
    assert.equal(world.resetProxy.resets(), 1);
    assert.ok(retries[0].error instanceof ApiConnectionError);
    assert.match(retries[0].error.message, /ECONNRESET|socket/i);

    const refused: RetryEvent[] = [];
    const c = client(world.keys.valid, { backoffMs: 10, onRetry: (r) => refused.push(r) });
    await assert.rejects(c.transcribeUrl('s3://bucket/a.wav'), UrlNotAllowedError);
    assert.equal(refused.length, 0);
  });

  test('500 is a ServerError and not retried; 502 is retried (a local stand-in: the server never answers them on demand)', async () => {
    const statuses: number[] = [];
    let hits = 0;
    const standIn = http.createServer((req, res) => {
      req.resume();
      hits++;
      const status = statuses.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        status === 200
          ? JSON.stringify({ request_id: 'req_x', text: 'ok', confidence: 1, duration: 1, language: 'en' })
          : JSON.stringify({ error: 'Internal server error', code: 'INTERNAL_ERROR', request_id: 'req_boom' }),
      );
    });
    await new Promise<void>((r) => standIn.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(standIn.address() as AddressInfo).port}`;
    const c = new SmallestClient({ apiUrl: url, licenseKey: 'k', backoffMs: 10 });
    try {
      statuses.push(500);
      const e = await expectError(c.transcribeUrl('https://example.com/a.wav'), ServerError, 500, 'INTERNAL_ERROR');
      assert.equal(e.requestId, 'req_boom');
      assert.equal(hits, 1);
      hits = 0;
      statuses.push(502, 502);
      assert.equal((await c.transcribeUrl('https://example.com/a.wav')).text, 'ok');
      assert.equal(hits, 3);
    } finally {
      standIn.close();
    }
  });

  test('client-side rate limit: requests wait for room in the window instead of being sent', async () => {
    const c = client(world.keys.valid, { rateLimiter: new RateLimiter(1, 800) });
    const short = tone(world.dir, 0.5);
    const started = Date.now();
    for (let i = 0; i < 3; i++) await c.transcribeFile(short);
    assert.ok(Date.now() - started >= 1600, 'the 2nd and 3rd requests each waited for the window');
    // Concurrent callers share the window too.
    const limiter = new RateLimiter(2, 500);
    const t0 = Date.now();
    const starts = await Promise.all([0, 1, 2, 3].map(() => limiter.acquire().then(() => Date.now() - t0)));
    assert.equal(starts.filter((t) => t < 400).length, 2);
    assert.ok(starts.filter((t) => t >= 480).length === 2);
  });

  test('a callback job is polled to completion, and the webhook gets the same result', async () => {
    const c = client();
    const job = await c.transcribeUrl(`${world.files.url}/hello.wav`, {
      callback_url: `${world.hooks.url}/hook`,
      timestamps: true,
    });
    assert.equal(job.status, 'processing');
    assert.match(job.job_id, /^job_/);
    const result = await c.waitForJob(job.job_id, { timeoutMs: 60_000, pollIntervalMs: 200 });
    assert.ok(result.text.length > 0 && result.words?.length);
    assert.equal((await c.getJob(job.job_id)).status, 'completed');
    await eventually(() => world.received.some((h) => (h as { job_id: string }).job_id === job.job_id), 10_000);
    const delivered = world.received.find((h) => (h as { job_id: string }).job_id === job.job_id) as {
      result: { text: string };
    };
    assert.equal(delivered.result.text, result.text);

    const uploaded = await c.transcribeFile(speech, { callback_url: `${world.hooks.url}/hook` });
    assert.equal((await c.waitForJob(uploaded.job_id, { pollIntervalMs: 200 })).text, result.text);

    const failing = await c.transcribeUrl(`${world.files.url}/missing.wav`, {
      callback_url: `${world.hooks.url}/hook`,
    });
    const e = await c.waitForJob(failing.job_id, { pollIntervalMs: 200 }).catch((x: unknown) => x);
    assert.ok(e instanceof UrlFetchError, String(e));
    assert.equal(e.details.job_id, failing.job_id);
  });

  test('the license key never shows: not in inspection, JSON, error messages or stacks', async () => {
    const secret = world.keys.valid;
    const c = new SmallestClient({ apiUrl: world.deadUrl, licenseKey: secret, maxRetries: 0 });
    const texts = [util.inspect(c, { showHidden: true, depth: 5 }), JSON.stringify(c), String(c)];
    for (const failing of [
      () => c.transcribeUrl('https://example.com/a.wav'),
      () => noRetry(secret).transcribeUrl('s3://x/a.wav'),
      () => noRetry(`${secret}x`).transcribeFile(speech),
    ]) {
      const e = (await failing().catch((x: unknown) => x)) as SmallestApiError;
      assert.ok(e instanceof SmallestApiError);
      texts.push(String(e), e.stack ?? '', util.inspect(e, { depth: 5 }), JSON.stringify(e));
    }
    for (const text of texts) assert.ok(!text.includes(secret), `the key shows in: ${text.slice(0, 200)}`);
    assert.equal(util.inspect(c).includes('apiUrl'), true);
  });

  test('an abort signal stops a retry wait at once', async () => {
    const { done } = await occupy(world.keys.valid);
    const controller = new AbortController();
    const c = client(world.keys.valid, { onRetry: () => controller.abort(new Error('stop')) });
    await assert.rejects(c.transcribeFile(speech, { signal: controller.signal }), /stop/);
    world.release();
    await done;
  });
  describe('the npm-packed package, installed into a fresh project', () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'earshot-jspkg-'));
    const project = path.join(tmp, 'project');
    const installed = path.join(project, 'node_modules', '@smallest', 'client');

    before(async () => {
      // `npm pack` runs the package's prepack build (esbuild + tsc), exactly as publishing would.
      const { stdout } = await execFileAsync('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: jsDir });
      const [{ filename, files }] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
      const paths = files.map((f) => f.path).sort();
      assert.ok(
        paths.every((p) => p.startsWith('dist/') || p === 'package.json' || p === 'README.md'),
        paths.join(),
      );
      for (const p of [
        'dist/esm/index.js',
        'dist/esm/index.d.ts',
        'dist/cjs/index.js',
        'dist/cjs/index.d.ts',
        'README.md',
      ]) {
        assert.ok(paths.includes(p), `${p} is in the package`);
      }
      mkdirSync(project);
      // Installed under the seed's own package name, so the seed's import line works unchanged.
      writeFileSync(
        path.join(project, 'package.json'),
        JSON.stringify({
          name: 'seed-snippet',
          private: true,
          type: 'module',
          dependencies: { '@smallest/client': `file:${path.join(tmp, filename)}` },
        }),
      );
      await execFileAsync('npm', ['install', '--offline', '--no-audit', '--no-fund'], { cwd: project });
    });
    after(() => rmSync(tmp, { recursive: true, force: true }));

    test("the seed's JavaScript snippet runs verbatim (only its addresses and key filled in)", async () => {
      const audio = `${world.files.url}/hello.wav`;
      writeFileSync(
        path.join(project, 'snippet.mjs'),
        fillSeedSnippet(SEED_JAVASCRIPT, world.serve.url, world.keys.valid, audio),
      );
      const { stdout } = await execFileAsync(process.execPath, ['snippet.mjs'], { cwd: project });
      const expected = await client().transcribeUrl(audio);
      assert.ok(expected.text.length > 0);
      assert.equal(stdout, `${expected.text}\n`);
      assert.equal(JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')).dependencies, undefined);
    });

    test('require() gets the CommonJS build with the same classes', async () => {
      const script = `
        const smallest = require('@smallest/client');
        const client = new smallest.SmallestClient({ apiUrl: process.argv[1], licenseKey: 'not-a-license-key', maxRetries: 0 });
        client.transcribeUrl('https://example.com/a.wav').catch((e) => {
          console.log(JSON.stringify({ cls: e.constructor.name, invalid: e instanceof smallest.InvalidLicenseError,
            base: e instanceof smallest.SmallestApiError, status: e.status, file: require.resolve('@smallest/client') }));
        });`;
      const { stdout } = await execFileAsync(process.execPath, ['-e', script, world.serve.url], { cwd: project });
      const out = JSON.parse(stdout);
      assert.deepEqual(
        { ...out, file: path.relative(installed, out.file) },
        {
          cls: 'InvalidLicenseError',
          invalid: true,
          base: true,
          status: 401,
          file: path.join('dist', 'cjs', 'index.js'),
        },
      );
    });

    test('its type declarations work from ES modules and CommonJS, and catch misuse', async () => {
      const tsc = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
      const good = `
        import { SmallestClient, RateLimitError, type TranscriptionResult, type JobAccepted } from '@smallest/client';
        export async function main(): Promise<string> {
          const client = new SmallestClient({ apiUrl: 'http://localhost:7100', licenseKey: 'k', maxRequestsPerMinute: 60 });
          const result: TranscriptionResult = await client.transcribeUrl('https://example.com/a.wav', { timestamps: true });
          const job: JobAccepted = await client.transcribeUrl('https://example.com/a.wav', { callback_url: 'https://x/cb' });
          try { await client.waitForJob(job.job_id); } catch (e) { if (e instanceof RateLimitError) return String(e.retryAfter); }
          return result.text + (result.words?.[0]?.start ?? 0);
        }`;
      writeFileSync(path.join(project, 'good.mts'), good);
      writeFileSync(path.join(project, 'good.cts'), good);
      writeFileSync(
        path.join(project, 'bad.mts'),
        `import { SmallestClient } from '@smallest/client';
         const n: number = (await new SmallestClient({ apiUrl: 'x' }).transcribeUrl('u')).text;
         export { n };`,
      );
      const config = (files: string[]) => {
        writeFileSync(
          path.join(project, 'tsconfig.json'),
          JSON.stringify({
            compilerOptions: {
              module: 'nodenext',
              moduleResolution: 'nodenext',
              target: 'es2022',
              lib: ['es2022', 'dom'],
              types: [],
              strict: true,
              noEmit: true,
              skipLibCheck: false,
            },
            files,
          }),
        );
      };
      config(['good.mts', 'good.cts']);
      await execFileAsync(process.execPath, [tsc, '-p', project]);
      config(['bad.mts']);
      const bad = await execFileAsync(process.execPath, [tsc, '-p', project]).then(
        () => assert.fail('a misuse type-checked'),
        (e: { stdout: string }) => e.stdout,
      );
      assert.match(bad, /bad\.mts.*TS2322/);
    });

    test('the ES module build runs in a browser (Chromium), same-origin behind a proxy', async () => {
      const page = `<!doctype html><meta charset="utf-8"><title>sdk</title>`;
      const server = http.createServer((req, res) => {
        const url = req.url ?? '/';
        if (url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(page);
        if (url === '/client.js') {
          const js = readFileSync(path.join(installed, 'dist', 'esm', 'index.js'));
          return res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
        }
        if (url === '/hello.wav')
          return res.writeHead(200, { 'content-type': 'audio/wav' }).end(readFileSync(world.speech));
        if (url.startsWith('/api/')) {
          const upstream = http.request(
            `${world.serve.url}${url.slice(4)}`,
            { method: req.method, headers: req.headers },
            (up) => {
              res.writeHead(up.statusCode ?? 502, up.headers);
              up.pipe(res);
            },
          );
          req.pipe(upstream);
          return;
        }
        res.writeHead(404).end();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const browser = await chromium.launch({
        executablePath: process.env.EARSHOT_CHROMIUM ?? '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
      });
      try {
        const tab = await browser.newPage();
        await tab.goto(`${origin}/`);
        const out = await tab.evaluate(async (key) => {
          const sdk = await import(`${location.origin}/client.js`);
          const client = new sdk.SmallestClient({ apiUrl: `${location.origin}/api`, licenseKey: key });
          const health = await client.health();
          const bytes = await (await fetch('/hello.wav')).blob();
          const upload = await client.transcribeFile(bytes, { timestamps: true });
          const bad = new sdk.SmallestClient({ apiUrl: `${location.origin}/api`, licenseKey: 'nope', maxRetries: 0 });
          const refused = await bad.transcribeFile(bytes).catch((e: Error) => e);
          const path = await client.transcribeFile('/tmp/a.wav').catch((e: Error) => e);
          return {
            health: health.status,
            text: upload.text,
            words: upload.words.length,
            refused: [refused instanceof sdk.InvalidLicenseError, refused.status],
            path: [path.name, path.message],
            node: typeof (globalThis as { process?: unknown }).process,
          };
        }, world.keys.valid);
        const expected = await client().transcribeFile(world.speech);
        assert.equal(out.health, 'healthy');
        assert.equal(out.text, expected.text);
        assert.ok(out.words > 0);
        assert.deepEqual(out.refused, [true, 401]);
        assert.deepEqual(out.path, [
          'TypeError',
          'transcribeFile: file paths work only in Node.js; pass a Blob, File or bytes',
        ]);
        assert.equal(out.node, 'undefined');
      } finally {
        await browser.close();
        server.close();
      }
    });
  });
});
