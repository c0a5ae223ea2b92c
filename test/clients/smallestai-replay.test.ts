/**
 * The vendor's current Python SDK, `smallestai`, pointed at `earshot serve`. Its dependencies (pydantic 2, httpx,
 * websockets ≥ 12) are not in Debian 12, so CI cannot run it; instead this test replays exactly the requests it sent
 * when it was run by hand (fixtures/smallestai-requests.json: paths, query parameters, headers, bodies, WebSocket
 * messages, in order) and checks every answer against the SDK's response types (smallestai-types.ts) and against
 * what the SDK does with it (e.g. 413 → ContentTooLargeError needs an `error` string).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { eventually, ffmpeg } from '../server/harness.ts';
import { type SdkWorld, sdkModel, startSdkWorld } from './harness.ts';
import {
  AsyncAccepted,
  type Shape,
  SttErrorResponse,
  shapeProblems,
  TranscriptionErrorEvent,
  TranscriptionEvent,
  TranscriptionResponse,
} from './smallestai-types.ts';

interface RecordedHttp {
  kind: 'http';
  method: string;
  url: string;
  headers: [string, string][];
  body: { kind: 'speech-wav' | 'zeros'; length: number };
  recordedStatus: number;
}
interface RecordedWs {
  kind: 'ws';
  url: string;
  headers: [string, string][];
  sent: ({ binaryChunks: number; chunkSize: number } | { text: string })[];
  recordedClose: { code: number };
}
const recording = JSON.parse(
  readFileSync(path.join(import.meta.dirname, 'fixtures', 'smallestai-requests.json'), 'utf8'),
) as {
  requests: (RecordedHttp | RecordedWs)[];
};
const recordedHttp = recording.requests.filter((r): r is RecordedHttp => r.kind === 'http');
const recordedWs = recording.requests.filter((r): r is RecordedWs => r.kind === 'ws');

function assertShape(value: unknown, shape: Shape, what: string): void {
  assert.deepEqual(shapeProblems(value, shape), [], `${what}: ${JSON.stringify(value).slice(0, 400)}`);
}

describe("the vendor SDK's requests (smallestai), replayed against earshot serve", {
  skip: sdkModel() ? false : 'no speech model',
}, () => {
  let world: SdkWorld;
  let pcm: Buffer;

  before(async () => {
    // The recording's oversize upload was a little over 1 MB, the cap it was recorded against.
    world = await startSdkWorld('replay', { maxSizeMb: 1 });
    const file = path.join(world.dir, 'hello.pcm');
    ffmpeg(['-i', world.speech, '-ac', '1', '-ar', '16000', '-f', 's16le', file]);
    pcm = readFileSync(file);
  });
  after(async () => {
    await world?.stop();
  });

  const fill = (text: string) =>
    text
      .replaceAll('<LICENSE_KEY>', world.keys.valid)
      .replaceAll('<WEBHOOK_URL>', encodeURIComponent(`${world.hooks.url}/hook`));

  /** Sends one recorded request as recorded (headers in their order and case), returning status and JSON body. */
  function replay(r: RecordedHttp): Promise<{ status: number; body: unknown; headers: http.IncomingHttpHeaders }> {
    const body = r.body.kind === 'speech-wav' ? readFileSync(world.speech) : Buffer.alloc(r.body.length);
    const headers: Record<string, string> = {};
    for (const [k, v] of r.headers) headers[k] = fill(v);
    headers['Content-Length'] = String(body.length);
    return new Promise((resolve, reject) => {
      const req = http.request(`${world.serve.url}${fill(r.url)}`, { method: r.method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), headers: res.headers });
          } catch {
            reject(new Error(`the SDK parses every answer as JSON; got ${res.statusCode}: ${text.slice(0, 200)}`));
          }
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  test('the recording holds the four transcribe calls and one live session', () => {
    assert.equal(recordedHttp.length, 4);
    assert.equal(recordedWs.length, 1);
    for (const r of recordedHttp) {
      assert.match(r.url, /^\/waves\/v1\/stt\/\?model=pulse(-pro)?&language=en/);
      assert.ok(r.headers.some(([k, v]) => k === 'Authorization' && v.startsWith('Bearer ')));
      assert.ok(r.headers.some(([k, v]) => k === 'content-type' && v === 'application/octet-stream'));
    }
  });

  test('transcribe(word_timestamps=True): 200 TranscriptionResponse with words and utterances', async () => {
    const r = recordedHttp[0];
    assert.match(r.url, /word_timestamps=true/);
    const { status, body, headers } = await replay(r);
    assert.equal(status, r.recordedStatus);
    assertShape(body, TranscriptionResponse, 'TranscriptionResponse');
    const t = body as {
      status: string;
      transcription: string;
      words: unknown[];
      utterances: unknown[];
      request_id: string;
      metadata: { duration: number; fileSize: number };
    };
    assert.equal(t.status, 'success');
    assert.ok(t.transcription.length > 0);
    assert.ok(t.words.length > 0 && t.utterances.length > 0);
    assert.equal(t.request_id, headers['x-request-id']);
    assert.equal(t.metadata.fileSize, readFileSync(world.speech).length);
    assert.ok(t.metadata.duration > 1);
  });

  test('transcribe(webhook_url=...): 200 AsyncAccepted at once, then the webhook gets the TranscriptionResponse', async () => {
    const r = recordedHttp[1];
    assert.match(r.url, /model=pulse-pro&language=en&webhook_url=<WEBHOOK_URL>$/);
    const { status, body } = await replay(r);
    assert.equal(status, r.recordedStatus);
    assertShape(body, AsyncAccepted, 'AsyncAccepted');
    const accepted = body as { status: string; request_id: string };
    assert.equal(accepted.status, 'processing');
    const delivered = () =>
      world.received.find((h) => (h as { job_id?: string }).job_id === accepted.request_id) as
        | { status: string; result: unknown }
        | undefined;
    await eventually(() => delivered() !== undefined, 30_000, 'the webhook');
    assert.equal(delivered()!.status, 'completed');
    assertShape(delivered()!.result, TranscriptionResponse, 'webhook result');
    assert.equal((delivered()!.result as { request_id: string }).request_id, accepted.request_id);
  });

  test('a wrong key: 401 with a JSON body (UnauthorizedError)', async () => {
    const r = recordedHttp[2];
    assert.ok(r.headers.some(([k, v]) => k === 'Authorization' && v === 'Bearer wrong'));
    const { status, body } = await replay(r);
    assert.equal(status, 401);
    assert.deepEqual(body, { error: 'Invalid license key', code: 'INVALID_LICENSE' });
  });

  test('an oversize upload: 413 with an SttErrorResponse (ContentTooLargeError)', async () => {
    const r = recordedHttp[3];
    const { status, body } = await replay(r);
    assert.equal(status, 413);
    assertShape(body, SttErrorResponse, 'SttErrorResponse');
    assert.equal((body as { code: string }).code, 'FILE_TOO_LARGE');
  });

  test('the live session: finalize decides the turn and keeps the socket open, close_stream ends it with is_last', async () => {
    const r = recordedWs[0];
    assert.match(r.url, /^\/waves\/v1\/stt\/live\?model=pulse&language=en&sample_rate=16000&encoding=linear16/);
    const headers: Record<string, string> = {};
    for (const [k, v] of r.headers) headers[k] = fill(v);
    const ws = new WebSocket(`${world.serve.url.replace('http:', 'ws:')}${r.url}`, { headers });
    const messages: Record<string, unknown>[] = [];
    let finals = 0;
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as Record<string, unknown>;
      messages.push(m);
      if (m.is_final) finals++;
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    for (const step of r.sent) {
      if ('binaryChunks' in step) {
        for (let i = 0; i < pcm.length; i += step.chunkSize) ws.send(pcm.subarray(i, i + step.chunkSize));
        continue;
      }
      ws.send(step.text); // exactly as the SDK sent it: '{"type": "finalize"}', '{"type": "close_stream"}'
      const type = JSON.parse(step.text).type;
      // As the SDK's users do: after finalize, read until the turn's final; the socket must still be open.
      if (type === 'finalize') {
        const before = finals;
        await eventually(() => finals > before, 30_000, 'the final of the finalized turn');
        assert.equal(ws.readyState, WebSocket.OPEN);
      }
    }
    assert.equal(await closed, r.recordedClose.code);

    for (const m of messages) assertShape(m, TranscriptionEvent, 'TranscriptionEvent');
    const finalsSeen = messages.filter((m) => m.is_final);
    assert.equal(finalsSeen.length, 2, 'one final per turn');
    assert.deepEqual(
      finalsSeen.map((m) => [m.from_finalize, m.is_last]),
      [
        [true, false],
        [false, true],
      ],
    );
    assert.ok(messages.every((m) => m.type === 'transcription' && m.transcription === m.transcript));
    assert.ok(
      finalsSeen.every((m) => (m.words as unknown[]).length > 0),
      'word_timestamps=true gives words',
    );
    // full_transcript=true: the running transcript of the session so far.
    const [first, last] = finalsSeen;
    assert.equal(first.full_transcript, first.transcript);
    assert.equal(last.full_transcript, `${first.transcript} ${last.transcript}`);
    assert.ok((last.start as number) >= (first.end as number), 'the second turn continues the session clock');
  });

  test('not sent by the SDK but documented for the endpoint: JSON {url}, and error events on the live socket', async () => {
    const res = await fetch(`${world.serve.url}/waves/v1/stt/?model=pulse&language=en`, {
      method: 'POST',
      headers: { authorization: `Bearer ${world.keys.valid}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${world.files.url}/hello.wav` }),
    });
    const body = (await res.json()) as { metadata: { filename: string }; transcription: string };
    assert.equal(res.status, 200);
    assertShape(body, TranscriptionResponse, 'TranscriptionResponse (url)');
    assert.equal(body.metadata.filename, 'hello.wav');

    const refused = await fetch(`${world.serve.url}/waves/v1/stt/?model=pulse&redact_pii=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${world.keys.valid}`, 'content-type': 'application/octet-stream' },
      body: readFileSync(world.speech),
    });
    assert.equal(refused.status, 400);
    assert.equal(((await refused.json()) as { parameter: string }).parameter, 'redact_pii');
    const badHook = await fetch(`${world.serve.url}/waves/v1/stt/?model=pulse&webhook_url=s3%3A%2F%2Fbucket%2Fhook`, {
      method: 'POST',
      headers: { authorization: `Bearer ${world.keys.valid}`, 'content-type': 'application/octet-stream' },
      body: readFileSync(world.speech),
    });
    assert.equal(badHook.status, 400);
    assert.equal(((await badHook.json()) as { code: string }).code, 'URL_NOT_ALLOWED');

    const ws = new WebSocket(`${world.serve.url.replace('http:', 'ws:')}/waves/v1/stt/live?model=pulse&language=en`, {
      headers: { Authorization: `Bearer ${world.keys.valid}` },
    });
    await new Promise((r) => ws.once('open', r));
    const message = new Promise<Record<string, unknown>>((r) => ws.once('message', (d) => r(JSON.parse(d.toString()))));
    ws.send('not json');
    const error = await message;
    assertShape(error, TranscriptionErrorEvent, 'TranscriptionErrorEvent');
    assert.equal(error.type, 'error');
    assert.match(String(error.message), /JSON/);
    ws.close();
  });
});
