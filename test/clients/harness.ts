/**
 * The world the SDK tests run in: a real `earshot serve` (one worker, no waiting room, 24 MB uploads, 1000 s of audio,
 * a 4 s request budget, so that 503, 504, FILE_TOO_LARGE and AUDIO_TOO_LONG can be provoked for real) started with
 * keys that are valid, single-slot, expired, not yet valid and out of quota; a local file server (speech, a 404, a
 * download that stalls until released); a webhook receiver; and a TCP proxy in front of the server that resets the
 * first connection it gets. The Python tests reach all of it over HTTP, through environment variables.
 */
import net from 'node:net';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { developmentSigningKey, issueLicense } from '../../electron/core/license/sign.ts';
import {
  ffmpeg,
  issueKey,
  type LocalServer,
  localServer,
  REPO,
  type Serve,
  startServe,
  synthesize,
  tempDir,
  testModel,
} from '../server/harness.ts';

export { REPO };

export interface SdkKeys {
  valid: string;
  /** One request at a time: a second one gets 429 RATE_LIMIT_EXCEEDED with retry_after 1. */
  single: string;
  expired: string;
  notYetValid: string;
  /** 0.72 s of audio a day: any real clip exceeds it. */
  quota: string;
}

export interface SdkWorld {
  serve: Serve;
  keys: SdkKeys;
  /** Serves /hello.wav (speech), /missing.wav (404), /stall.wav (stalls until /release); GET /stalled counts stalls. */
  files: LocalServer;
  /** POST /hook stores a webhook; GET /hooks lists them. */
  hooks: LocalServer;
  received: unknown[];
  /** Resets the first connection, forwards the others to the server. */
  resetProxy: { url: string; resets: () => number };
  /** A loopback port nothing listens on. */
  deadUrl: string;
  speech: string;
  /**
   * 900 s of speech (8 kHz, 8-bit: 7.2 MB): its transcription outlasts the request budget, so sending it holds the
   * only worker for the budget's length (a stalled URL download no longer does: downloads happen before a worker is
   * taken).
   */
  long: string;
  /** The first 2000 bytes of an Ogg Vorbis file: CORRUPT_MEDIA. */
  corrupt: string;
  dir: string;
  release: () => number;
  stop: () => Promise<void>;
}

/** The request budget: short, but longer than one transcription of the short test clip. */
export const BUDGET_S = 4;
/** The server's upload cap and longest accepted recording. */
export const MAX_SIZE_MB = 24;
export const MAX_DURATION_S = 1000;

export function sdkModel() {
  return testModel();
}

export async function startSdkWorld(name: string, options: { maxSizeMb?: number } = {}): Promise<SdkWorld> {
  const dir = tempDir(name);
  const day = 86_400_000;
  const keys: SdkKeys = {
    valid: await issueKey({ customer: `${name}-valid` }),
    single: await issueKey({ concurrency: 1, customer: `${name}-single` }),
    expired: await issueKey({ expiresInDays: -1, customer: `${name}-expired` }),
    notYetValid: issueLicense({
      privateKey: await developmentSigningKey(),
      customer: `${name}-future`,
      notBefore: new Date(Date.now() + day),
      expiresAt: new Date(Date.now() + 30 * day),
    }).key,
    quota: await issueKey({ audioHoursPerDay: 0.0002, customer: `${name}-quota` }),
  };
  const speech = synthesize(dir, 'hello', 'hello world, this is a test');
  const long = path.join(dir, 'long.wav');
  ffmpeg(['-stream_loop', '450', '-i', speech, '-ar', '8000', '-c:a', 'pcm_u8', '-t', '900', long]);
  const ogg = path.join(dir, 'hello.ogg');
  ffmpeg(['-i', speech, '-c:a', 'libvorbis', ogg]);
  const corrupt = path.join(dir, 'corrupt.ogg');
  writeFileSync(corrupt, readFileSync(ogg).subarray(0, 2000));

  const stalls: ServerResponse[] = [];
  const release = () => {
    const n = stalls.length;
    for (const res of stalls.splice(0)) res.destroy();
    return n;
  };
  const files = await localServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    if (url === '/hello.wav') return res.writeHead(200, { 'content-type': 'audio/wav' }).end(readFileSync(speech));
    if (url === '/stall.wav') {
      // A header and a little audio, then a trickle that keeps the download alive but never finishes it.
      const data = readFileSync(speech);
      res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': data.length * 10 });
      res.write(data.subarray(0, 4096));
      const trickle = setInterval(() => res.write(Buffer.alloc(2)), 500);
      res.on('close', () => clearInterval(trickle));
      stalls.push(res);
      return;
    }
    if (url === '/release') return res.writeHead(200).end(JSON.stringify({ released: release() }));
    if (url === '/stalled') return res.writeHead(200).end(JSON.stringify({ stalled: stalls.length }));
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });

  const received: unknown[] = [];
  const hooks = await localServer((req, res) => {
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(received));
  });

  const serve = await startServe({
    keys: Object.values(keys),
    args: [
      '--model',
      sdkModel()!.dir,
      '--workers',
      '1',
      '--queue',
      '0',
      '--max-size-mb',
      String(options.maxSizeMb ?? MAX_SIZE_MB),
      '--max-duration',
      String(MAX_DURATION_S),
      '--request-timeout',
      String(BUDGET_S),
    ],
    env: { EARSHOT_ALLOW_PRIVATE_URLS: '1' },
  });

  let resets = 0;
  const proxy = net.createServer((client) => {
    if (resets < 1) {
      resets++;
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(serve.port, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const proxyPort = (proxy.address() as net.AddressInfo).port;

  const dead = net.createServer();
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
  const deadPort = (dead.address() as net.AddressInfo).port;
  await new Promise((r) => dead.close(r));

  return {
    serve,
    keys,
    files,
    hooks,
    received,
    resetProxy: { url: `http://127.0.0.1:${proxyPort}`, resets: () => resets },
    deadUrl: `http://127.0.0.1:${deadPort}`,
    speech,
    long,
    corrupt,
    dir,
    release,
    stop: async () => {
      release();
      proxy.close();
      await serve.stop();
      await files.close();
      await hooks.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A quiet 440 Hz tone as 16-bit 8 kHz mono WAV (16 kB a second), written by ffmpeg; 0 s gives a header only. */
export function tone(dir: string, seconds: number): string {
  const file = path.join(dir, `tone-${seconds}s.wav`);
  ffmpeg(
    ['-f', 'lavfi', '-i', `sine=frequency=440:duration=${Math.max(seconds, 1)}:sample_rate=8000`].concat([
      '-t',
      String(seconds),
      '-ac',
      '1',
      '-c:a',
      'pcm_s16le',
      file,
    ]),
  );
  return file;
}

export const pythonDir = path.join(REPO, 'clients', 'python');
export const jsDir = path.join(REPO, 'clients', 'js');
