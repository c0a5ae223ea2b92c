/**
 * Overload and time limits on a real `earshot serve` (one worker, no waiting room, a 3-second request budget), and
 * the clients that must ride them out: the seed's Python example with its urllib3 retry adapter, and our
 * SmallestClient. A recording far longer than the budget keeps the only worker busy until the budget ends (504); a
 * local audio server that trickles bytes shows that a slow download never holds the worker.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { SmallestApiError, SmallestClient } from '../../clients/js/src/index.ts';
import {
  type CurlResult,
  curl,
  eventually,
  ffmpeg,
  issueKey,
  type LocalServer,
  localServer,
  type Serve,
  startServe,
  synthesize,
  tempDir,
  testModel,
} from './harness.ts';

const model = testModel();
/** The request budget: short, but longer than one transcription with the (slow, random) Whisper fixture. */
const BUDGET_S = model?.recognisesSpeech ? 3 : 40;
const execFileAsync = promisify(execFile);

describe('limits: bounded queue, request timeout, client retries', {
  skip: model ? false : 'no speech model yet',
}, () => {
  let serve: Serve;
  let files: LocalServer;
  let key: string;
  /** A license allowing one request at a time: a leaked slot would turn its next request into a 429. */
  let single: string;
  let speech: string;
  let long: string;
  const dir = tempDir('limits');
  const stalled: ServerResponse[] = [];

  before(async () => {
    key = await issueKey();
    single = await issueKey({ concurrency: 1 });
    speech = synthesize(dir, 'hello', 'hello world, this is a test');
    // Twenty minutes of speech (8 kHz, 8-bit: 10 MB): its transcription outlasts the budget many times over.
    long = path.join(dir, 'long.wav');
    ffmpeg(['-stream_loop', '600', '-i', speech, '-ar', '8000', '-c:a', 'pcm_u8', '-t', '1200', long]);
    files = await localServer((req, res) => {
      const data = readFileSync(speech);
      if (req.url === '/stall.wav') {
        // Send the header and a little audio, then almost nothing: the download holds the worker until the budget ends.
        res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': data.length * 10 });
        res.write(data.subarray(0, 4096));
        // A trickle keeps the download alive (no read timeout) but never finishes it.
        const trickle = setInterval(() => res.write(Buffer.alloc(2)), 500);
        res.on('close', () => clearInterval(trickle));
        stalled.push(res);
        return;
      }
      res.writeHead(200, { 'content-type': 'audio/wav' }).end(data);
    });
    serve = await startServe({
      keys: [key, single],
      args: [
        '--model',
        model!.dir,
        '--queue',
        '0',
        '--workers',
        '1',
        '--request-timeout',
        String(BUDGET_S),
        '--download-timeout',
        String(BUDGET_S - 1),
      ],
      env: { EARSHOT_ALLOW_PRIVATE_URLS: '1' },
    });
  });

  after(async () => {
    for (const res of stalled) res.destroy();
    await serve?.stop();
    await files?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const auth = () => ['-H', `Authorization: Token ${key}`];

  /** Ends the trickling downloads. */
  const endTrickles = () => {
    for (const res of stalled.splice(0)) res.destroy();
  };

  /** Occupies the only worker with a transcription longer than the budget; `answer` is its eventual 504. */
  async function occupyWorker(): Promise<{ answer: Promise<CurlResult> }> {
    const answer = curl([
      '-X',
      'POST',
      `${serve.url}/v1/listen`,
      ...auth(),
      '-H',
      'Content-Type: audio/wav',
      '--data-binary',
      `@${long}`,
    ]);
    await eventually(
      async () => JSON.parse((await curl([`${serve.url}/health?detailed=true`])).body).queue.active === 1,
      30_000,
      'the long transcription to take the worker',
    );
    return { answer };
  }

  test('a trickling URL download never holds the worker: an upload is answered meanwhile; the download is cut at --download-timeout', async () => {
    endTrickles();
    let slowDone = false;
    const slow = curl([
      '-X',
      'POST',
      `${serve.url}/v1/listen`,
      ...auth(),
      '-H',
      'Content-Type: application/json',
      '-d',
      JSON.stringify({ url: `${files.url}/stall.wav` }),
    ]).finally(() => {
      slowDone = true;
    });
    await eventually(() => stalled.length > 0, 10_000, 'the trickling download');
    const upload = await curl(['-X', 'POST', `${serve.url}/v1/listen`, ...auth(), '-F', `audio=@${speech}`]);
    assert.equal(upload.status, 200, upload.body);
    assert.equal(slowDone, false, 'the upload was answered while the slow download was still running');
    const cut = await slow;
    assert.equal(cut.status, 400, cut.body);
    const body = JSON.parse(cut.body);
    assert.equal(body.code, 'URL_FETCH_FAILED');
    assert.equal(body.reason, 'total_timeout');
    assert.match(body.error, new RegExp(`within ${BUDGET_S - 1} s`));
  });

  test('a full queue answers 503 SERVICE_UNAVAILABLE with retry_after and Retry-After; the stuck request times out with 504', async () => {
    const { answer: stuck } = await occupyWorker();
    const refused = await curl(['-X', 'POST', `${serve.url}/v1/listen`, ...auth(), '-F', `audio=@${speech}`]);
    assert.equal(refused.status, 503, refused.body);
    const body = JSON.parse(refused.body);
    assert.equal(body.code, 'SERVICE_UNAVAILABLE');
    assert.ok(Number.isInteger(body.retry_after) && body.retry_after >= 1 && body.retry_after <= 30);
    assert.equal(refused.headers['retry-after'], String(body.retry_after));
    const health = JSON.parse((await curl([`${serve.url}/health?detailed=true`])).body);
    assert.equal(health.components.queue, 'full');
    assert.equal(health.queue.active, 1);

    const timedOut = await stuck;
    assert.equal(timedOut.status, 504, timedOut.body);
    assert.equal(JSON.parse(timedOut.body).code, 'TIMEOUT');
    assert.equal(JSON.parse(timedOut.body).code, 'TIMEOUT');
    assert.match(JSON.parse(timedOut.body).request_id, /^req_/);
  });

  test("the seed's Python example (requests + Retry adapter) rides out a 503 and gets the transcript", async () => {
    const { answer: stuck } = await occupyWorker();
    const python = execFileAsync(
      '/usr/bin/python3',
      [path.join(import.meta.dirname, 'smallest_example.py'), serve.url, `${files.url}/hello.wav`],
      { env: { ...process.env, LICENSE_KEY: key }, timeout: 120_000 },
    );
    // The first attempt meets the full queue (503); the worker frees up (the long one times out) before a retry.
    const [{ stdout }, blocked] = await Promise.all([python, stuck]);
    assert.equal(blocked.status, 504);
    assert.equal(JSON.parse(blocked.body).code, 'TIMEOUT');
    const result = JSON.parse(stdout);
    assert.match(result.request_id, /^req_/);
    assert.ok(typeof result.text === 'string' && result.text.trim().length > 0, 'speech gives text');
    assert.equal(result.language, 'en');
    const metrics = (await curl([`${serve.url}/metrics`, ...auth()])).body;
    assert.match(metrics, /earshot_http_requests_total\{method="POST",route="\/v1\/listen",status="503"\} [2-9]/);
  });

  test('SmallestClient retries 503 honouring retry_after, then succeeds; errors are typed with the code', async () => {
    const client = new SmallestClient({ apiUrl: serve.url, licenseKey: key, backoffMs: 100 });
    assert.deepEqual(await client.health(), { status: 'healthy' });
    const { answer: stuck } = await occupyWorker();
    const started = Date.now();
    const result = await client.transcribeFile(speech, { timestamps: true, requestId: 'ts-client-1' });
    assert.equal(result.request_id, 'ts-client-1');
    assert.ok(result.text.trim().length > 0 && (result.words?.length ?? 0) > 0, 'speech with timestamps gives words');
    assert.ok(Date.now() - started >= 900, 'waited at least the server-given retry_after');
    assert.equal((await stuck).status, 504);

    const bytes = new Uint8Array(readFileSync(speech));
    assert.equal(typeof (await client.transcribeFile(bytes)).text, 'string');

    await assert.rejects(client.transcribeUrl('s3://bucket/a.wav'), (e: unknown) => {
      assert.ok(e instanceof SmallestApiError);
      assert.equal(e.status, 400);
      assert.equal(e.code, 'URL_NOT_ALLOWED');
      assert.ok(e.requestId);
      return true;
    });
    const stranger = new SmallestClient({ apiUrl: serve.url, licenseKey: 'not-a-key', maxRetries: 0 });
    await assert.rejects(stranger.transcribeUrl(`${files.url}/hello.wav`), { code: 'INVALID_LICENSE', status: 401 });
    endTrickles();
    const nobody = new SmallestClient({ apiUrl: 'http://127.0.0.1:9', licenseKey: key, maxRetries: 1, backoffMs: 10 });
    await assert.rejects(nobody.health(), { name: 'ApiConnectionError', code: 'CONNECTION_ERROR', status: 0 });
    await assert.rejects(nobody.transcribeUrl('https://example.com/a.wav'), { code: 'CONNECTION_ERROR', status: 0 });
  });

  test('requests refused for a full queue (HTTP and WebSocket upgrades) give their license slot back', async () => {
    const { answer: stuck } = await occupyWorker();
    const ws = new WebSocket(`${serve.url.replace('http:', 'ws:')}/v1/listen/stream`, {
      headers: { Authorization: `Token ${single}` },
    });
    const upgrade = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    assert.equal(upgrade, 503);
    const postSpeech = () =>
      curl(['-X', 'POST', `${serve.url}/v1/listen`, '-H', `Authorization: Token ${single}`, '-F', `audio=@${speech}`]);
    const http = await postSpeech();
    assert.equal(http.status, 503);
    await stuck;
    const after = await postSpeech();
    assert.equal(after.status, 200, after.body);
  });
});
