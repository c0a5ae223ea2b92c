/**
 * What an adversarial pass over `earshot serve` found, each as a regression test on a real server process: streams
 * charged and bounded (quota, back-pressure, idle and length limits, one resampler), revocations picked up while
 * running, language tags, malformed or odd requests answered with the documented shapes, truncated media refused,
 * stalled uploads cut at the request budget, and no license key in the log even at trace level.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { developmentSigningKey } from '../../electron/core/license/sign.ts';
import { LicenseService } from '../../electron/core/license/index.ts';
import { signRevocationList } from '../../electron/core/license/revocation.ts';
import {
  curl,
  eventually,
  ffmpeg,
  issueKey,
  type Serve,
  startServe,
  synthesize,
  tempDir,
  testModel,
} from './harness.ts';

const model = testModel();
const BUDGET_S = 6;
/** Every test is bounded: a server that never answers or never closes a stream fails instead of hanging. */
const BOUNDED = { timeout: 120_000 };

/** The command names of a process's children (Linux /proc). */
function childCommands(pid: number): string[] {
  const names: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (m && Number(m[2]) === pid) names.push(m[1]);
    } catch {
      // the process ended meanwhile
    }
  }
  return names;
}

interface StreamMessage {
  transcript?: string;
  is_final?: boolean;
  is_last?: boolean;
  type?: string;
  code?: string;
  error?: string;
  resets_at?: string;
}

interface StreamResult {
  messages: StreamMessage[];
  code: number;
  reason: string;
}

describe('server hardening', { skip: model ? false : 'no speech model yet' }, () => {
  let serve: Serve;
  const dir = tempDir('hardening');
  const keys = { main: '', quota: '', revocable: '' };
  let speech: string;
  let pcm16k: Buffer;
  let pcm48k: Buffer;

  before(async () => {
    keys.main = await issueKey();
    keys.quota = await issueKey({ audioHoursPerDay: 4 / 3600 }); // 4 seconds a day
    keys.revocable = await issueKey({ customer: 'to-be-revoked' });
    speech = synthesize(dir, 'fox', 'the quick brown fox jumps over the lazy dog. then it runs into the forest');
    ffmpeg(['-i', speech, '-f', 's16le', '-ac', '1', '-ar', '16000', path.join(dir, 'fox16.pcm')]);
    ffmpeg(['-i', speech, '-f', 's16le', '-ac', '1', '-ar', '48000', path.join(dir, 'fox48.pcm')]);
    pcm16k = readFileSync(path.join(dir, 'fox16.pcm'));
    pcm48k = readFileSync(path.join(dir, 'fox48.pcm'));
    serve = await startServe({
      keys: [keys.main, keys.quota, keys.revocable],
      args: [
        '--model',
        model!.dir,
        '--request-timeout',
        String(BUDGET_S),
        '--stream-idle-timeout',
        '2',
        '--stream-max-seconds',
        '5',
      ],
      env: { EARSHOT_LOG_LEVEL: 'trace' },
    });
  });

  after(async () => {
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const auth = (key = keys.main) => ['-H', `Authorization: Token ${key}`];
  const wsUrl = (query: string) => `${serve.url.replace('http:', 'ws:')}/v1/listen/stream?${query}`;

  /** Opens a stream; `feed` sends audio (it gets the socket); collects every message until the server closes. */
  function stream(
    query: string,
    feed: (ws: WebSocket) => void | Promise<void>,
    options: { key?: string; onMessage?: (m: StreamMessage, ws: WebSocket) => void } = {},
  ): Promise<StreamResult> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(wsUrl(query), { headers: { Authorization: `Token ${options.key ?? keys.main}` } });
      const messages: StreamMessage[] = [];
      ws.on('open', () => void Promise.resolve(feed(ws)).catch(reject));
      ws.on('message', (data) => {
        const m = JSON.parse(String(data)) as StreamMessage;
        messages.push(m);
        options.onMessage?.(m, ws);
      });
      ws.on('close', (code, reason) => resolve({ messages, code, reason: reason.toString() }));
      ws.on('error', reject);
    });
  }

  const sendAll =
    (pcm: Buffer, frame = 4096) =>
    (ws: WebSocket) => {
      for (let at = 0; at < pcm.length; at += frame) ws.send(pcm.subarray(at, at + frame));
      ws.send(JSON.stringify({ type: 'end' }));
    };

  async function metric(name: string): Promise<number> {
    const text = (await curl([`${serve.url}/metrics`, ...auth()])).body;
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line ? Number(line.split(' ')[1]) : 0;
  }

  test(
    'streamed audio is charged: audio seconds are counted, and past the quota the stream gets QUOTA_EXCEEDED and is closed',
    BOUNDED,
    async () => {
      const before = await metric('earshot_audio_seconds_total');
      const ok = await stream('sample_rate=16000', sendAll(pcm16k));
      assert.equal(ok.code, 1000);
      const seconds = pcm16k.length / 32000;
      const counted = (await metric('earshot_audio_seconds_total')) - before;
      assert.ok(Math.abs(counted - seconds) < 0.05, `${counted} s counted for ${seconds} s streamed`);

      // 12 s of audio against a 4-second daily quota.
      const long = Buffer.concat([pcm16k, pcm16k, pcm16k]);
      const over = await stream('sample_rate=16000', sendAll(long), { key: keys.quota });
      const error = over.messages.find((m) => m.type === 'error');
      assert.equal(error?.code, 'QUOTA_EXCEEDED', JSON.stringify(over.messages));
      assert.match(error!.resets_at!, /^\d{4}-\d\d-\d\dT00:00:00Z$/);
      assert.equal(over.code, 1008);
      assert.ok(!over.messages.some((m) => m.is_last), 'the stream was not transcribed to its end');
    },
  );

  test(
    'a 48 kHz burst is resampled by one converter (no ffmpeg per frame) and read only as fast as it is worked off',
    BOUNDED,
    async () => {
      // ~8 minutes of audio, 48 MB: far more than the kernel's socket buffers on both sides can hold (~10 MB).
      const burst = Buffer.concat(Array.from({ length: Math.ceil(48e6 / pcm48k.length) }, () => pcm48k));
      const pid = serve.child.pid!;
      let ffmpegSeen = 0;
      const watcher = setInterval(() => {
        if (childCommands(pid).includes('ffmpeg')) ffmpegSeen++;
      }, 100);
      let unread = -1;
      const result = await stream(
        'sample_rate=48000',
        (ws) => {
          for (let at = 0; at < burst.length; at += 4096) ws.send(burst.subarray(at, at + 4096));
        },
        {
          onMessage: (m, ws) => {
            if (m.is_final && unread < 0) {
              unread = ws.bufferedAmount;
              ws.terminate();
            }
          },
        },
      ).finally(() => clearInterval(watcher));
      assert.equal(ffmpegSeen, 0, 'no ffmpeg process was started for the stream');
      assert.ok(result.messages.some((m) => m.is_final));
      // When the first 5 s were decided, most of the burst was still waiting on the client's side: the server had
      // stopped reading (back-pressure) instead of taking in minutes of audio it could not work off yet.
      assert.ok(unread > burst.length / 2, `${unread} of ${burst.length} bytes unread at the first final transcript`);
      assert.equal((await curl([`${serve.url}/health`])).status, 200);
      const after = await stream('sample_rate=48000', sendAll(pcm48k));
      assert.equal(after.code, 1000, 'the server still streams after the client vanished mid-burst');
      if (model!.recognisesSpeech) {
        const text = after.messages
          .filter((m) => m.is_final)
          .map((m) => m.transcript)
          .join(' ');
        assert.match(text, /fox|forest|dog/);
      }
    },
  );

  test(
    'a silent stream is closed after --stream-idle-timeout, a long one at --stream-max-seconds, each saying why',
    BOUNDED,
    async () => {
      const idle = await stream('sample_rate=16000', () => {});
      assert.equal(idle.code, 1008);
      assert.equal(idle.messages.at(-1)?.code, 'TIMEOUT');
      assert.match(idle.messages.at(-1)!.error!, /No audio received for 2 s/);

      // Real time: 100 ms of audio every 100 ms, for longer than the 5-second limit.
      const long = await stream('sample_rate=16000', (ws) => {
        let at = 0;
        const timer = setInterval(() => {
          if (ws.readyState !== ws.OPEN || at >= 80 * 3200) return clearInterval(timer);
          ws.send(Buffer.concat([pcm16k, pcm16k]).subarray(at, at + 3200));
          at += 3200;
        }, 100);
      });
      assert.equal(long.code, 1008);
      assert.match(long.reason, /maximum length of 5 s/);
      assert.equal(long.messages.at(-1)?.code, 'TIMEOUT');
      assert.ok(
        long.messages.some((m) => m.is_last),
        'what was received before the limit is still transcribed and marked last',
      );
    },
  );

  test('a revocation list imported while the server runs takes effect within seconds', BOUNDED, async () => {
    const probe = async () => (await curl([`${serve.url}/v1/jobs/job_none`, ...auth(keys.revocable)])).status;
    assert.equal(await probe(), 404, 'valid before the import');
    const licenses = new LicenseService({ dataDir: serve.home });
    const id = licenses.verify(keys.revocable).id;
    await licenses.importRevocationList(signRevocationList([id], await developmentSigningKey()));
    await eventually(async () => (await probe()) === 401, 10_000, 'the revoked key to be refused');
    assert.equal((await curl([`${serve.url}/v1/jobs/job_none`, ...auth()])).status, 404, 'other keys unaffected');
  });

  /** POST /v1/listen with this Content-Type and body (curl arguments), options in `query`. */
  const post = (contentType: string, body: string[], query = '') =>
    curl(['-X', 'POST', `${serve.url}/v1/listen${query}`, ...auth(), '-H', `Content-Type: ${contentType}`, ...body]);
  const postRaw = (contentType: string, query = '', file = speech) =>
    post(contentType, ['--data-binary', `@${file}`], query);

  test(
    'language=auto, multi, multi-eu and en-US are accepted; a language the model lacks is refused',
    BOUNDED,
    async () => {
      for (const language of ['auto', 'multi', 'multi-eu', 'en-US']) {
        const r = await postRaw('audio/wav', `?language=${language}`);
        assert.equal(r.status, 200, `${language}: ${r.body}`);
        assert.equal(JSON.parse(r.body).language, 'en');
      }
      const unknown = await postRaw('audio/wav', '?language=xh-ZA');
      assert.equal(unknown.status, 400, unknown.body);
      assert.equal(JSON.parse(unknown.body).parameter, 'language');
    },
  );

  test(
    'raw uploads whose Content-Type has parameters are accepted (audio/webm;codecs=opus, audio/wav; charset=utf-8)',
    BOUNDED,
    async () => {
      const webm = path.join(dir, 'fox.webm');
      ffmpeg(['-i', speech, '-c:a', 'libopus', webm]);
      const browser = await postRaw('audio/webm;codecs=opus', '', webm);
      assert.equal(browser.status, 200, browser.body);
      const charset = await postRaw('audio/wav; charset=utf-8');
      assert.equal(charset.status, 200, charset.body);
    },
  );

  test(
    'malformed multipart is a 400 naming the problem; aborts and over-size frames are not logged as errors',
    BOUNDED,
    async () => {
      const logFrom = serve.stdout().length;
      const multipart = (contentType: string, body: string) => post(contentType, ['--data-binary', body]);
      const part = '--XyZ\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"\r\n\r\nRIFF....';
      for (const [contentType, body] of [
        ['multipart/form-data; boundary=XyZ', part], // no closing boundary
        ['multipart/form-data', `${part}\r\n--XyZ--\r\n`], // no boundary=
        ['multipart/form-data; boundary=Other', `${part}\r\n--XyZ--\r\n`], // the wrong boundary
      ]) {
        const r = await multipart(contentType, body);
        assert.equal(r.status, 400, `${contentType}: ${r.body}`);
        assert.equal(JSON.parse(r.body).code, 'INVALID_PARAMETER');
        assert.match(JSON.parse(r.body).error, /multipart|file/i);
      }
      // A client that gives up halfway through its upload.
      await new Promise<void>((resolve) => {
        const req = http.request(`${serve.url}/v1/listen`, {
          method: 'POST',
          headers: { Authorization: `Token ${keys.main}`, 'Content-Type': 'audio/wav', 'Content-Length': 100_000 },
        });
        req.on('error', () => resolve());
        req.write(Buffer.alloc(10_000));
        setTimeout(() => req.destroy(), 300);
      });
      // A WebSocket frame over the 1 MB limit.
      const big = await stream('sample_rate=16000', (ws) => ws.send(Buffer.alloc(1_200_000)));
      assert.equal(big.code, 1009);
      await new Promise((r) => setTimeout(r, 500));
      const errors = serve
        .stdout()
        .slice(logFrom)
        .split('\n')
        .filter((l) => /"level":50/.test(l));
      assert.deepEqual(errors, []);
    },
  );

  test('every refusal has the documented {error, code} shape and the right status', BOUNDED, async () => {
    const form = (...fields: string[]) =>
      curl(['-X', 'POST', `${serve.url}/v1/listen`, ...auth(), ...fields.flatMap((f) => ['-F', f])]);
    const twoFiles = await form(`audio=@${speech}`, `audio=@${speech}`);
    assert.equal(twoFiles.status, 400, twoFiles.body);
    assert.match(JSON.parse(twoFiles.body).error, /one file/);
    const manyFields = await form(`audio=@${speech}`, ...Array.from({ length: 21 }, (_, i) => `f${i}=x`));
    assert.equal(manyFields.status, 400, manyFields.body);
    assert.match(JSON.parse(manyFields.body).error, /Too many form fields/);

    const hugeJson = path.join(dir, 'huge.json');
    writeFileSync(hugeJson, JSON.stringify({ url: 'https://example.com/a.wav', pad: 'x'.repeat(1_100_000) }));
    const json = await post('application/json', ['--data-binary', `@${hugeJson}`]);
    assert.equal(json.status, 400, json.body);
    const jsonBody = JSON.parse(json.body);
    assert.equal(jsonBody.code, 'INVALID_PARAMETER');
    assert.equal(jsonBody.max_body_kb, 1024);
    assert.equal(jsonBody.max_size_mb, undefined);

    const longId = `job_${'a'.repeat(150)}`;
    const job = await curl([`${serve.url}/v1/jobs/${longId}`, ...auth()]);
    assert.equal(job.status, 400, job.body);
    assert.equal(JSON.parse(job.body).code, 'INVALID_PARAMETER');
    assert.ok(!job.body.includes(longId), 'the path is not echoed');

    const headers = await curl([`${serve.url}/health`, '-H', `X-Padding: ${'p'.repeat(20_000)}`]);
    assert.equal(headers.status, 431, headers.body);
    assert.equal(JSON.parse(headers.body).code, 'HEADERS_TOO_LARGE');

    const typed = await post('application/json', ['-d', '{"url":123}']);
    assert.equal(typed.status, 400, typed.body);
    assert.deepEqual(JSON.parse(typed.body), {
      error: "Invalid parameter 'url': must be a string",
      code: 'INVALID_PARAMETER',
      parameter: 'url',
    });
  });

  test(
    'truncated WAV, MP3, FLAC, Ogg Vorbis and Opus files are 422 CORRUPT_MEDIA; the whole files transcribe',
    BOUNDED,
    async () => {
      const whole = path.join(dir, 'whole.wav');
      execFileSync('sox', [speech, whole, 'repeat', '2']);
      for (const [ext, codec] of [
        ['wav', []],
        ['mp3', []],
        ['flac', []],
        ['ogg', ['-c:a', 'libvorbis']],
        ['opus', ['-c:a', 'libopus']],
      ] as const) {
        const full = path.join(dir, `whole.${ext}`);
        if (ext !== 'wav') ffmpeg(['-i', whole, ...codec, full]);
        const bytes = readFileSync(full);
        const cut = path.join(dir, `cut.${ext}`);
        writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
        const okay = await curl(['-X', 'POST', `${serve.url}/v1/listen`, ...auth(), '-F', `audio=@${full}`]);
        assert.equal(okay.status, 200, `${ext}: ${okay.body}`);
        const r = await curl(['-X', 'POST', `${serve.url}/v1/listen`, ...auth(), '-F', `audio=@${cut}`]);
        assert.equal(r.status, 422, `${ext}: ${r.body}`);
        const body = JSON.parse(r.body);
        assert.equal(body.code, 'CORRUPT_MEDIA');
        assert.equal(body.reason, 'truncated');
        assert.match(body.error, /truncated/);
      }
    },
  );

  test(
    'a stalled upload is cut at --request-timeout with the documented 504 TIMEOUT (raw and multipart)',
    BOUNDED,
    async () => {
      const stalled = (contentType: string, head: Buffer) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = http.request(`${serve.url}/v1/listen`, {
            method: 'POST',
            headers: { Authorization: `Token ${keys.main}`, 'Content-Type': contentType, 'Content-Length': 1_000_000 },
          });
          req.on('response', (res) => {
            let body = '';
            res.on('data', (d) => {
              body += d;
            });
            res.on('end', () => {
              req.destroy();
              resolve({ status: res.statusCode ?? 0, body });
            });
          });
          req.on('error', reject);
          req.write(head); // ...and nothing more
          setTimeout(() => reject(new Error('no answer within twice the budget')), 2 * BUDGET_S * 1000).unref();
        });
      const raw = await stalled('audio/wav', readFileSync(speech).subarray(0, 4096));
      assert.equal(raw.status, 504, raw.body);
      assert.equal(JSON.parse(raw.body).code, 'TIMEOUT');
      const partHead = Buffer.from(
        '--B\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\nRIFF',
      );
      const multipart = await stalled('multipart/form-data; boundary=B', partHead);
      assert.equal(multipart.status, 504, multipart.body);
      assert.equal(JSON.parse(multipart.body).code, 'TIMEOUT');
    },
  );

  test('no license key reaches the log, even at EARSHOT_LOG_LEVEL=trace', BOUNDED, async () => {
    // A few more ways for a key to travel: a forged key, the multipart plugin's trace of its options, a query string.
    await curl([
      '-X',
      'POST',
      `${serve.url}/v1/listen`,
      ...auth(`${keys.main.slice(0, -6)}abcdef`),
      '-F',
      `audio=@${speech}`,
    ]);
    await curl(['-X', 'POST', `${serve.url}/v1/listen?token=${keys.main}`, ...auth(), '-F', `audio=@${speech}`]);
    const log = serve.stdout();
    assert.match(log, /Providing options to busboy/, 'the trace-level multipart log was written');
    for (const key of Object.values(keys)) {
      assert.ok(!log.includes(key), 'a configured key is in the log');
      assert.ok(!log.includes(key.slice(5, 60)), 'part of a configured key is in the log');
    }
    assert.ok(!log.includes(`${keys.main.slice(0, -6)}abcdef`.slice(5, 60)), 'a forged key is in the log');
  });
});
