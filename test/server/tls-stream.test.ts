/**
 * HTTPS with a certificate generated here by openssl (curl, SmallestClient, a WebSocket client over wss), the
 * private-URL guard of a server that does not allow private targets, and live transcription on WS /v1/listen/stream.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { Agent } from 'undici';
import WebSocket from 'ws';
import { SmallestClient } from '../../clients/js/src/index.ts';
import { curl, ffmpeg, issueKey, type Serve, startServe, synthesize, tempDir, testModel } from './harness.ts';

const model = testModel();
const execFileAsync = promisify(execFile);

interface StreamMessage {
  session_id?: string;
  transcript?: string;
  is_final?: boolean;
  is_last?: boolean;
  start?: number;
  end?: number;
  words?: { word: string; start: number; end: number }[];
  type?: string;
  code?: string;
}

describe('TLS and live streaming', { skip: model ? false : 'no speech model yet' }, () => {
  let serve: Serve;
  let key: string;
  let speech: string;
  let ca: Buffer;
  const dir = tempDir('tls');

  before(async () => {
    key = await issueKey();
    speech = synthesize(
      dir,
      'fox',
      'the quick brown fox jumps over the lazy dog. then it runs into the forest and sleeps',
    );
    const cert = path.join(dir, 'cert.pem');
    const privateKey = path.join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        privateKey,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    ca = readFileSync(cert);
    ffmpeg(['-i', speech, '-f', 's16le', '-ac', '1', '-ar', '16000', path.join(dir, 'fox.pcm')]);
    serve = await startServe({
      keys: [key],
      args: ['--model', model!.dir, '--tls-cert', cert, '--tls-key', privateKey],
    });
  });

  after(async () => {
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const cacert = () => ['--cacert', path.join(dir, 'cert.pem')];
  const auth = () => ['-H', `Authorization: Token ${key}`];

  test('serves HTTPS only, with the given certificate', async () => {
    assert.match(serve.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const h = await curl([...cacert(), `${serve.url}/health`]);
    assert.equal(h.status, 200);
    await assert.rejects(curl([`${serve.url}/health`]), 'an untrusted certificate is refused by curl');
    const plain = await curl([`${serve.url.replace('https:', 'http:')}/health`]).catch(() => ({ status: 0 }));
    assert.notEqual(plain.status, 200);
    const r = await curl([...cacert(), '-X', 'POST', `${serve.url}/v1/listen`, ...auth(), '-F', `audio=@${speech}`]);
    assert.equal(r.status, 200, r.body);
    assert.equal(typeof JSON.parse(r.body).text, 'string');
  });

  test('private, loopback and link-local URL targets are refused unless allowed', async () => {
    const dispatcher = new Agent({ connect: { ca } });
    const client = new SmallestClient({
      apiUrl: serve.url,
      licenseKey: key,
      maxRetries: 0,
      // Node's fetch with an undici Agent that trusts the test's certificate authority.
      fetch: ((input: string, init: RequestInit) =>
        fetch(input, { ...init, dispatcher } as RequestInit)) as typeof fetch,
    });
    for (const url of [
      'http://127.0.0.1:8080/a.wav',
      'http://localhost/a.wav',
      'http://169.254.169.254/latest',
      'http://[::1]/a.wav',
      'http://10.1.2.3/a.wav',
    ]) {
      await assert.rejects(
        client.transcribeUrl(url),
        (e: { status: number; code: string; message: string }) => {
          assert.equal(e.status, 400);
          assert.equal(e.code, 'URL_NOT_ALLOWED');
          assert.match(e.message, /--allow-private-urls/);
          return true;
        },
        url,
      );
    }
    await assert.rejects(client.transcribeFile(speech, { callback_url: 'http://127.0.0.1:9/hook' }), {
      code: 'URL_NOT_ALLOWED',
    });
    const ok = await client.transcribeFile(readFileSync(speech));
    assert.match(ok.request_id, /^req_/);
    await dispatcher.close();
  });

  /** Streams PCM16 frames like a live source, then ends; collects every server message until close. */
  function stream(query: string, pcm: Buffer, options: { key?: string; end?: string } = {}) {
    return new Promise<{ messages: StreamMessage[]; code: number; status?: number }>((resolve, reject) => {
      const ws = new WebSocket(`${serve.url.replace('https:', 'wss:')}/v1/listen/stream?${query}`, {
        ca,
        headers: { Authorization: `Token ${options.key ?? key}` },
      });
      const messages: StreamMessage[] = [];
      ws.on('unexpected-response', (_req, res) => resolve({ messages, code: 0, status: res.statusCode }));
      ws.on('open', () => {
        for (let at = 0; at < pcm.length; at += 4096) ws.send(pcm.subarray(at, at + 4096));
        ws.send(options.end ?? JSON.stringify({ type: 'end' }));
      });
      ws.on('message', (data) => messages.push(JSON.parse(String(data))));
      ws.on('close', (code) => resolve({ messages, code }));
      ws.on('error', (e) => {
        if (!/Unexpected server response/.test(e.message)) reject(e);
      });
    });
  }

  test('WS /v1/listen/stream: PCM16 frames in, final transcripts out, is_last at the end', async () => {
    const pcm = path.join(dir, 'fox.pcm');
    const audio = readFileSync(pcm);
    const { messages, code } = await stream('sample_rate=16000&language=en&word_timestamps=true', audio);
    assert.equal(code, 1000);
    const ids = new Set(messages.map((m) => m.session_id));
    assert.equal(ids.size, 1);
    assert.match([...ids][0]!, /^sess_/);
    assert.ok(messages.every((m) => (typeof m.transcript === 'string' && m.transcript.length > 0) || m.is_last));
    // Interim messages (is_final false) may come between finals; the finals tile the audio exactly.
    const finals = messages.filter((m) => m.is_final);
    for (const m of messages.filter((x) => !x.is_final)) assert.equal(m.is_last, false);
    assert.ok(
      messages.some((m) => m.is_final === false),
      'interim transcripts while the server is idle',
    );
    assert.ok(finals.length >= 2, `several decided chunks for ${audio.length / 32000} s (got ${finals.length})`);
    // word_timestamps=true: every final with text carries its words.
    assert.ok(finals.every((m) => (m.transcript ? (m.words?.length ?? 0) > 0 : Array.isArray(m.words))));
    assert.deepEqual(
      finals.map((m) => m.is_last),
      [...finals.slice(1).map(() => false), true],
    );
    assert.equal(messages.at(-1)!.is_last, true);
    for (let i = 1; i < finals.length; i++) assert.equal(finals[i].start, finals[i - 1].end, 'chunks tile the audio');
    assert.ok(Math.abs(finals.at(-1)!.end! - audio.length / 32000) < 0.01);
    if (model!.recognisesSpeech) assert.match(finals.map((m) => m.transcript).join(' '), /fox|forest|dog/);
  });

  test('a Python websocket-client streams over wss and gets the same protocol', async () => {
    const pcm = path.join(dir, 'fox.pcm');
    const { stdout } = await execFileAsync(
      '/usr/bin/python3',
      [
        path.join(import.meta.dirname, 'stream_client.py'),
        `${serve.url.replace('https:', 'wss:')}/v1/listen/stream?sample_rate=16000`,
        pcm,
        path.join(dir, 'cert.pem'),
      ],
      { env: { ...process.env, LICENSE_KEY: key }, timeout: 60_000 },
    );
    const messages = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as StreamMessage);
    assert.ok(messages.length >= 1);
    assert.equal(messages.at(-1)!.is_last, true);
    assert.ok(messages.every((m) => typeof m.transcript === 'string'));
    const finals = messages.filter((m) => m.is_final).map((m) => m.transcript);
    if (model!.recognisesSpeech) assert.match(finals.join(' '), /fox|forest|dog/);
  });

  test('WS stream accepts other sample rates and {"type":"finalize"}', async () => {
    const pcm = path.join(dir, 'fox8k.pcm');
    ffmpeg(['-i', speech, '-f', 's16le', '-ac', '1', '-ar', '8000', '-t', '2', pcm]);
    const { messages, code } = await stream('sample_rate=8000', readFileSync(pcm), { end: '{"type":"finalize"}' });
    assert.equal(code, 1000);
    assert.equal(messages.at(-1)!.is_last, true);
    assert.ok(Math.abs(messages.at(-1)!.end! - 2) < 0.05, `8 kHz input resampled: ${messages.at(-1)!.end}`);
  });

  test('WS stream refuses bad keys (401 before upgrade), bad parameters (400) and garbage control messages', async () => {
    const bad = await stream('sample_rate=16000', Buffer.alloc(0), { key: 'wrong' });
    assert.equal(bad.status, 401);
    const rate = await stream('sample_rate=12345', Buffer.alloc(0));
    assert.equal(rate.status, 400);
    const garbage = await stream('sample_rate=16000', Buffer.alloc(3200), { end: 'not json' });
    assert.equal(garbage.code, 1008);
    assert.equal(garbage.messages.at(-1)!.code, 'MALFORMED_JSON');
  });
});
