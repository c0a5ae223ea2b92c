/**
 * The HTTP API of a real `earshot serve` process, driven with curl exactly as the seed does: health, auth, the three
 * input styles of POST /v1/listen, every error code and header, request ids, callback jobs with a real webhook
 * receiver, the cloud aliases and /metrics.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
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
const SENTENCE = 'the quick brown fox jumps over the lazy dog';

describe('earshot serve over HTTP', { skip: model ? false : 'no speech model in the repo yet' }, () => {
  let serve: Serve;
  let files: LocalServer;
  const dir = tempDir('http-api');
  const keys = { main: '', rpm2: '', other: '', expired: '', unlisted: '', quota: '' };
  let speech: string;
  let speechMp3: string;

  before(async () => {
    keys.main = await issueKey();
    keys.rpm2 = await issueKey({ rpm: 2 });
    keys.other = await issueKey({ customer: 'another-team' });
    keys.expired = await issueKey({ expiresInDays: -1 });
    keys.unlisted = await issueKey();
    keys.quota = await issueKey({ audioHoursPerDay: 4 / 3600 }); // 4 seconds a day
    speech = synthesize(dir, 'fox', SENTENCE);
    speechMp3 = path.join(dir, 'fox.mp3');
    ffmpeg(['-i', speech, speechMp3]);
    // Over --max-duration (20 s) but under --max-size-mb (1 MB): a compressed half minute of speech.
    ffmpeg([
      '-i',
      synthesize(dir, 'long', Array(12).fill(SENTENCE).join(', ')),
      '-b:a',
      '32k',
      path.join(dir, 'long.mp3'),
    ]);
    files = await localServer((req, res) => {
      const name = path.basename(req.url ?? '');
      try {
        const data = readFileSync(path.join(dir, name));
        res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': data.length });
        res.end(data);
      } catch {
        res.writeHead(404).end();
      }
    });
    serve = await startServe({
      keys: [keys.main, keys.rpm2, keys.other, keys.expired, keys.quota],
      args: ['--model', model!.dir, '--allow-private-urls', '--max-size-mb', '1', '--max-duration', '20'],
    });
  });

  after(async () => {
    await serve?.stop();
    await files?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const auth = (key = keys.main) => ['-H', `Authorization: Token ${key}`];
  const json = (body: unknown) => ['-H', 'Content-Type: application/json', '-d', JSON.stringify(body)];

  test('GET /health and its aliases answer without auth', async () => {
    const h = await curl([`${serve.url}/health`]);
    assert.equal(h.status, 200);
    assert.deepEqual(JSON.parse(h.body), { status: 'healthy' });
    assert.ok(h.headers['x-request-id']);
    assert.deepEqual(JSON.parse((await curl([`${serve.url}/api/v1/health`])).body), { status: 'healthy' });
    const z = await curl([`${serve.url}/healthz`]);
    assert.equal(z.status, 200);
    assert.match(z.body, /true/);
    const d = JSON.parse((await curl([`${serve.url}/health?detailed=true`])).body);
    assert.equal(d.status, 'healthy');
    assert.equal(d.components.api_server, 'healthy');
    assert.equal(d.components.asr, 'healthy');
    assert.equal(typeof d.uptime_seconds, 'number');
    assert.equal(typeof d.version, 'string');
  });

  test("the seed's curl command transcribes a URL", async () => {
    const r = await curl(['-X', 'POST', `${serve.url}/v1/listen`, ...auth(), ...json({ url: `${files.url}/fox.wav` })]);
    assert.equal(r.status, 200, r.body);
    const body = JSON.parse(r.body);
    assert.match(body.request_id, /^req_/);
    assert.equal(r.headers['x-request-id'], body.request_id);
    assert.ok(typeof body.text === 'string' && body.text.trim().length > 0, 'speech gives text');
    assert.ok(body.confidence >= 0 && body.confidence <= 1);
    assert.ok(Math.abs(body.duration - 2.9) < 1.5, `duration ${body.duration}`);
    assert.equal(body.language, 'en');
    assert.equal(body.words, undefined, 'words only with timestamps=true');
    if (model!.recognisesSpeech) assert.match(body.text.toLowerCase(), /fox|dog|quick/);
  });

  test('multipart upload in field "audio" with options as form fields, Bearer accepted', async () => {
    const r = await curl([
      '-X',
      'POST',
      `${serve.url}/v1/listen`,
      '-H',
      `Authorization: Bearer ${keys.main}`,
      '-F',
      `audio=@${speech}`,
      '-F',
      'timestamps=true',
      '-F',
      'punctuate=false',
      '-F',
      'language=en',
    ]);
    assert.equal(r.status, 200, r.body);
    const body = JSON.parse(r.body);
    assert.ok(body.words.length > 0, 'speech with timestamps=true gives words');
    let last = 0;
    for (const w of body.words) {
      assert.deepEqual(Object.keys(w).sort(), ['confidence', 'end', 'start', 'word']);
      assert.ok(w.start >= last - 1e-6 && w.end >= w.start && w.end <= body.duration + 0.05, JSON.stringify(w));
      assert.doesNotMatch(w.word, /[.,!?]/, 'punctuate=false strips punctuation');
      last = w.start;
    }
  });

  test('raw audio bodies with options in the query string (audio/* and octet-stream)', async () => {
    const wav = await curl([
      '-X',
      'POST',
      `${serve.url}/v1/listen?timestamps=true`,
      ...auth(),
      '-H',
      'Content-Type: audio/wav',
      '--data-binary',
      `@${speech}`,
    ]);
    assert.equal(wav.status, 200, wav.body);
    assert.ok(JSON.parse(wav.body).words.length > 0, 'speech with timestamps=true gives words');
    const mp3 = await curl([
      '-X',
      'POST',
      `${serve.url}/v1/listen`,
      ...auth(),
      '-H',
      'Content-Type: application/octet-stream',
      '--data-binary',
      `@${speechMp3}`,
    ]);
    assert.equal(mp3.status, 200, mp3.body);
    assert.ok(Math.abs(JSON.parse(mp3.body).duration - JSON.parse(wav.body).duration) < 0.2);
  });

  test('X-Request-ID is accepted, echoed, used as request_id and logged; keys never reach the log', async () => {
    const r = await curl([
      '-X',
      'POST',
      `${serve.url}/v1/listen`,
      ...auth(),
      '-H',
      'X-Request-ID: debug-123',
      ...json({}),
    ]);
    assert.equal(r.headers['x-request-id'], 'debug-123');
    const completed = /"request_id":"debug-123"[^\n]*"msg":"request completed"/;
    await eventually(() => completed.test(serve.stdout()), 5000, 'the log line');
    const lines = serve
      .stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.ok(
      lines.some((l) => l.request_id === 'debug-123' && l.msg === 'request completed'),
      'JSON-lines log carries the request id',
    );
    for (const k of Object.values(keys)) assert.ok(!serve.stdout().includes(k) && !serve.stderr().includes(k));
  });

  test('401 for a missing, unknown or unconfigured key, with the seed body', async () => {
    const url = `${serve.url}/v1/listen`;
    // From an address of its own: failures count per address, and a success no longer clears them.
    const from = ['--interface', '127.0.0.2'];
    for (const headers of [
      [],
      ['-H', 'Authorization: Token wrong'],
      auth(keys.unlisted),
      ['-H', `Authorization: Basic ${keys.main}`],
    ]) {
      const r = await curl(['-X', 'POST', url, ...from, ...headers, ...json({ url: 'https://example.com/audio.wav' })]);
      assert.equal(r.status, 401);
      assert.deepEqual(JSON.parse(r.body), { error: 'Invalid license key', code: 'INVALID_LICENSE' });
    }
    assert.equal((await curl([...from, `${serve.url}/metrics`])).status, 401, '/metrics needs auth too');
    assert.equal((await curl([...from, `${serve.url}/v1/jobs/job_x`])).status, 401);
  });

  test('repeated failures from one address are slowed down', async () => {
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      await curl([
        '-X',
        'POST',
        `${serve.url}/v1/listen`,
        '--interface',
        '127.0.0.3',
        '-H',
        'Authorization: Token wrong',
      ]);
      times.push(performance.now() - t);
    }
    assert.ok(times[6] >= 400, `7th failure answered after ${Math.round(times[6])} ms`);
    assert.ok((await curl([`${serve.url}/health`])).status === 200);
  });

  test('403 LICENSE_EXPIRED with expires_at for an expired configured key', async () => {
    const r = await curl([
      '-X',
      'POST',
      `${serve.url}/v1/listen`,
      ...auth(keys.expired),
      ...json({ url: 'https://example.com/a.wav' }),
    ]);
    assert.equal(r.status, 403);
    const body = JSON.parse(r.body);
    assert.equal(body.code, 'LICENSE_EXPIRED');
    assert.equal(body.error, 'License expired');
    assert.match(body.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  test("403 QUOTA_EXCEEDED with resets_at once the day's audio is used up, before any inference", async () => {
    const send = () => curl(['-X', 'POST', `${serve.url}/v1/listen`, ...auth(keys.quota), '-F', `audio=@${speech}`]);
    assert.equal((await send()).status, 200, 'the first 2.9 s fit in the 4 s quota');
    const over = await send();
    assert.equal(over.status, 403, over.body);
    const body = JSON.parse(over.body);
    assert.equal(body.code, 'QUOTA_EXCEEDED');
    assert.match(body.resets_at, /^\d{4}-\d\d-\d\dT/);
  });

  test('400s: missing input, malformed JSON, bad types, s3:// URLs', async () => {
    const post = (...args: string[]) => curl(['-X', 'POST', `${serve.url}/v1/listen`, ...auth(), ...args]);
    const missing = await post(...json({}));
    assert.equal(missing.status, 400);
    assert.deepEqual(JSON.parse(missing.body), {
      error: 'Missing required parameter: url or audio file',
      code: 'MISSING_PARAMETER',
    });
    assert.equal(JSON.parse((await post()).body).code, 'MISSING_PARAMETER', 'no body at all');
    const form = await post('-F', 'language=en');
    assert.equal(JSON.parse(form.body).code, 'MISSING_PARAMETER', 'multipart without a file');
    const bad = await post('-H', 'Content-Type: application/json', '-d', '{"url": ');
    assert.equal(bad.status, 400);
    assert.equal(JSON.parse(bad.body).code, 'MALFORMED_JSON');
    const wrongType = await post(...json({ url: 'https://example.com/a.wav', num_speakers: 'many' }));
    assert.equal(wrongType.status, 400);
    assert.equal(JSON.parse(wrongType.body).code, 'INVALID_PARAMETER');
    const s3 = await post(...json({ url: 's3://bucket/audio.wav' }));
    assert.equal(s3.status, 400);
    assert.match(JSON.parse(s3.body).error, /^url: Only http:\/\/ and https:\/\/ links work \(got s3:\/\/\)/);
    const both = await post('-F', `audio=@${speech}`, '-F', `url=${files.url}/fox.wav`);
    assert.equal(JSON.parse(both.body).code, 'INVALID_PARAMETER');
  });

  test('415 UNSUPPORTED_FORMAT with supported_formats for other content types and non-audio bytes', async () => {
    for (const args of [
      ['-H', 'Content-Type: text/plain', '-d', 'hello'],
      ['-H', 'Content-Type: application/octet-stream', '--data-binary', 'definitely not audio, just text'],
      ['-F', `audio=@${path.join(import.meta.dirname, 'harness.ts')}`],
    ]) {
      const r = await curl(['-X', 'POST', `${serve.url}/v1/listen`, ...auth(), ...args]);
      assert.equal(r.status, 415, r.body);
      const body = JSON.parse(r.body);
      assert.equal(body.code, 'UNSUPPORTED_FORMAT');
      for (const f of ['wav', 'mp3', 'flac', 'ogg', 'm4a']) assert.ok(body.supported_formats.includes(f));
    }
  });

  test('422 FILE_TOO_LARGE (with max_size_mb) for uploads and downloads over the cap; AUDIO_TOO_LONG past --max-duration', async () => {
    const big = path.join(dir, 'big.wav');
    ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=40', '-ar', '16000', big]);
    assert.ok(statSync(big).size > 1024 * 1024);
    for (const args of [
      ['-F', `audio=@${big}`],
      ['-H', 'Content-Type: audio/wav', '--data-binary', `@${big}`],
      json({ url: `${files.url}/big.wav` }),
    ]) {
      const r = await curl(['-X', 'POST', `${serve.url}/v1/listen`, ...auth(), ...args]);
      assert.equal(r.status, 422, r.body);
      assert.deepEqual(JSON.parse(r.body), { error: 'Audio file too large', code: 'FILE_TOO_LARGE', max_size_mb: 1 });
    }
    const long = await curl([
      '-X',
      'POST',
      `${serve.url}/v1/listen`,
      ...auth(),
      '-F',
      `audio=@${path.join(dir, 'long.mp3')}`,
    ]);
    assert.equal(long.status, 422, long.body);
    assert.equal(JSON.parse(long.body).code, 'AUDIO_TOO_LONG');
  });

  test('429 RATE_LIMIT_EXCEEDED with retry_after and Retry-After past the per-minute limit', async () => {
    const statuses: number[] = [];
    let limited: CurlResult | undefined;
    for (let i = 0; i < 3; i++) {
      const r = await curl(['-X', 'POST', `${serve.url}/v1/listen`, ...auth(keys.rpm2), ...json({})]);
      statuses.push(r.status);
      if (r.status === 429) limited = r;
    }
    assert.deepEqual(statuses, [400, 400, 429]);
    const body = JSON.parse(limited!.body);
    assert.equal(body.code, 'RATE_LIMIT_EXCEEDED');
    assert.equal(body.error, 'Rate limit exceeded');
    assert.ok(body.retry_after > 0);
    assert.equal(limited!.headers['retry-after'], String(body.retry_after));
  });

  test('unknown endpoints are a JSON 404', async () => {
    const r = await curl([`${serve.url}/v2/nothing`, ...auth()]);
    assert.equal(r.status, 404);
    assert.equal(JSON.parse(r.body).code, 'NOT_FOUND');
  });

  test('callback_url: immediate job, webhook POST with the result, retried until delivered; GET /v1/jobs/{id}', async () => {
    const received: { body: Record<string, unknown>; attempt: number }[] = [];
    let attempts = 0;
    const hook = await localServer((req, res) => {
      let data = '';
      req.on('data', (c) => {
        data += c;
      });
      req.on('end', () => {
        attempts++;
        // The first delivery fails: the server must retry.
        if (attempts === 1) return void res.writeHead(500).end();
        received.push({ body: JSON.parse(data), attempt: attempts });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"received": true}');
      });
    });
    try {
      const r = await curl([
        '-X',
        'POST',
        `${serve.url}/v1/listen`,
        ...auth(),
        ...json({ url: `${files.url}/fox.wav`, callback_url: `${hook.url}/hook`, timestamps: true }),
      ]);
      assert.equal(r.status, 200, r.body);
      const accepted = JSON.parse(r.body);
      assert.deepEqual(Object.keys(accepted).sort(), ['job_id', 'status']);
      assert.equal(accepted.status, 'processing');

      const failingResponse = await curl([
        '-X',
        'POST',
        `${serve.url}/v1/listen`,
        ...auth(),
        ...json({ url: `${files.url}/missing.wav`, callback_url: `${hook.url}/hook` }),
      ]);
      const failing = JSON.parse(failingResponse.body);

      const deadline = Date.now() + 120_000;
      while (received.length < 2 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 200));
      const done = received.find((x) => x.body.job_id === accepted.job_id);
      assert.ok(done, 'webhook delivered');
      assert.equal(done.body.status, 'completed');
      const result = done.body.result as Record<string, unknown>;
      assert.ok(typeof result.text === 'string' && result.text.trim().length > 0, 'speech gives text');
      assert.ok((result.words as unknown[]).length > 0, 'timestamps: true gives words');
      const failed = received.find((x) => x.body.job_id === failing.job_id);
      assert.ok(failed, 'failed jobs are delivered too');
      assert.equal(failed.body.status, 'failed');
      assert.equal((failed.body.error as { code: string }).code, 'URL_FETCH_FAILED');
      assert.equal(received.filter((x) => x.body.job_id === accepted.job_id).length, 1, 'delivered exactly once');

      const polled = JSON.parse((await curl([`${serve.url}/v1/jobs/${accepted.job_id}`, ...auth()])).body);
      assert.equal(polled.status, 'completed');
      assert.equal(polled.callback_delivered, true);
      assert.equal(
        (await curl([`${serve.url}/v1/jobs/${accepted.job_id}`, ...auth(keys.other)])).status,
        404,
        'other keys cannot see it',
      );
    } finally {
      await hook.close();
    }
  });

  test('cloud aliases: /api/v1/lightning/get_text and /waves/v1/pulse/get_text', async () => {
    const size = statSync(speech).size;
    const l = await curl([
      '-X',
      'POST',
      `${serve.url}/api/v1/lightning/get_text?model=lightning&language=en&word_timestamps=true`,
      ...auth(),
      '-H',
      'Content-Type: application/octet-stream',
      '--data-binary',
      `@${speech}`,
    ]);
    assert.equal(l.status, 200, l.body);
    const lb = JSON.parse(l.body);
    assert.equal(lb.status, 'success');
    assert.ok(typeof lb.transcription === 'string' && lb.transcription.trim().length > 0, 'speech gives text');
    assert.ok(lb.word_timestamps.length > 0 && lb.utterances.length > 0, 'word_timestamps=true gives words');
    assert.deepEqual(lb.words, lb.word_timestamps);
    assert.equal(lb.metadata.fileSize, size);
    assert.ok(lb.metadata.duration > 1);
    const p = await curl([
      '-X',
      'POST',
      `${serve.url}/waves/v1/pulse/get_text?language=en`,
      ...auth(),
      '-H',
      'Content-Type: application/octet-stream',
      '--data-binary',
      `@${speech}`,
    ]);
    assert.equal(p.status, 200, p.body);
    const pb = JSON.parse(p.body);
    assert.ok(typeof pb.transcription === 'string' && pb.transcription.trim().length > 0, 'speech gives text');
    // Without word_timestamps, the lists are there and empty (the vendor's shape).
    assert.deepEqual(pb.words, []);
    assert.deepEqual(pb.utterances, []);
    assert.equal(
      (await curl(['-X', 'POST', `${serve.url}/waves/v1/pulse/get_text`, '--data-binary', `@${speech}`])).status,
      401,
    );
  });

  test('GET /metrics is Prometheus text with requests, latency, RTF, queue, jobs, failed auth and quota', async () => {
    const r = await curl([`${serve.url}/metrics`, ...auth()]);
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /^text\/plain/);
    for (const series of [
      /earshot_http_requests_total\{method="POST",route="\/v1\/listen",status="200"\} \d+/,
      /earshot_http_request_duration_seconds_bucket\{le="\+Inf",route="\/v1\/listen"\} \d+/,
      /earshot_real_time_factor_count \d+/,
      /earshot_queue_depth 0/,
      /earshot_active_jobs \d+/,
      /earshot_failed_authentications_total\{reason="missing"\} \d+/,
      /earshot_quota_audio_seconds_used\{license="lic_\w+"\} [\d.]+/,
      /earshot_quota_audio_seconds_limit\{license="lic_\w+"\} 360000/,
    ]) {
      assert.match(r.body, series);
    }
  });
});
