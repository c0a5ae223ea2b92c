/**
 * Shared pieces of the server tests: a real `earshot serve` child process in a temp EARSHOT_HOME, license keys
 * signed with the development key, speech synthesised with espeak-ng, and small local HTTP servers (audio source,
 * webhook receiver). Everything is created in os.tmpdir() and removed afterwards.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { developmentSigningKey, issueLicense } from '../../electron/core/license/sign.ts';

const execFileAsync = promisify(execFile);

export const REPO = path.resolve(import.meta.dirname, '../..');

/** The bundled English CTC model recognises espeak speech; the random Whisper fixture only proves real inference. */
export function testModel(): { dir: string; recognisesSpeech: boolean } | undefined {
  const demo = path.join(REPO, 'models', 'demo-en');
  if (existsSync(path.join(demo, 'model.json'))) return { dir: demo, recognisesSpeech: true };
  const whisper = path.join(REPO, 'test', 'fixtures', 'models', 'whisper-tiny-random');
  if (existsSync(path.join(whisper, 'config.json'))) return { dir: whisper, recognisesSpeech: false };
  return undefined;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `earshot-${prefix}-`));
}

/** A license key signed with the development key. Negative `expiresInDays` gives an already expired key. */
export async function issueKey(
  options: {
    rpm?: number;
    concurrency?: number;
    audioHoursPerDay?: number;
    expiresInDays?: number;
    customer?: string;
  } = {},
): Promise<string> {
  const day = 86_400_000;
  const expiresIn = options.expiresInDays ?? 30;
  const issuedAt = new Date(Date.now() + Math.min(0, expiresIn - 30) * day);
  const { key } = issueLicense({
    privateKey: await developmentSigningKey(),
    customer: options.customer ?? 'earshot-server-tests',
    issuedAt,
    expiresAt: new Date(Date.now() + expiresIn * day),
    limits: {
      requestsPerMinute: options.rpm ?? 100_000,
      concurrentRequests: options.concurrency ?? 1000,
      audioHoursPerDay: options.audioHoursPerDay ?? 100,
    },
  });
  return key;
}

/** espeak-ng speech as a 16-bit WAV (22.05 kHz mono). */
export function synthesize(dir: string, name: string, text: string): string {
  const file = path.join(dir, `${name}.wav`);
  execFileSync('espeak-ng', ['-s', '150', '-w', file, text], { stdio: 'ignore' });
  return file;
}

/** Converts with the ffmpeg CLI (e.g. to mp3 or raw PCM16). */
export function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...args], { stdio: 'ignore' });
}

export interface Serve {
  url: string;
  port: number;
  home: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout (JSON-lines log) and stderr so far. */
  stdout: () => string;
  stderr: () => string;
  stop: () => Promise<number | null>;
}

export interface ServeOptions {
  args?: string[];
  env?: Record<string, string>;
  keys: string[];
  /** Wait until /health says healthy (default true). */
  waitHealthy?: boolean;
  /** Reuse this EARSHOT_HOME (kept on stop); default: a fresh temp folder removed on stop. */
  home?: string;
}

/** Starts `earshot serve` on a free port and waits until it listens (and, by default, until the model is ready). */
export async function startServe(options: ServeOptions): Promise<Serve> {
  const home = options.home ?? tempDir('serve');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'electron/cli.ts', 'serve', '--port', '0', ...(options.args ?? [])],
    {
      cwd: REPO,
      env: {
        ...process.env,
        EARSHOT_HOME: home,
        LICENSE_KEY: options.keys.join(','),
        EARSHOT_CALLBACK_BACKOFF_MS: '100',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const listening = new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (\S+)/.exec(err);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`earshot serve exited with ${code}: ${err}`)));
  });
  const url = await withTimeout(listening, 60_000, () => `earshot serve did not start: ${err}`);
  const serve: Serve = {
    url,
    port: Number(new URL(url).port),
    home,
    child,
    stdout: () => out,
    stderr: () => err,
    stop: async () => {
      // A child killed by a signal has exitCode null too, and its 'exit' has already fired.
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      if (!options.home) rmSync(home, { recursive: true, force: true });
      return child.exitCode;
    },
  };
  if (options.waitHealthy !== false) {
    await withTimeout(
      (async () => {
        for (;;) {
          if (/ready, model|failed to load/.test(err)) return;
          await new Promise((r) => setTimeout(r, 100));
        }
      })(),
      120_000,
      () => `model did not load: ${err}`,
    );
  }
  return serve;
}

function withTimeout<T>(p: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message())), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Runs a command and returns its stdout (stderr included on failure). */
export function run(command: string, args: string[], input?: string): string {
  return execFileSync(command, args, { encoding: 'utf8', input, maxBuffer: 16 * 1024 * 1024 });
}

export interface LocalServer {
  url: string;
  close: () => Promise<void>;
}

/** A plain local HTTP server (audio sources, webhook receivers). */
export async function localServer(handler: http.RequestListener): Promise<LocalServer> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface CurlResult {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * curl with -s -i, returning {status, headers, body}. Asynchronous on purpose: the test process also hosts the
 * local audio and webhook servers that the API server calls back into while curl waits.
 */
export async function curl(args: string[]): Promise<CurlResult> {
  const { stdout: out } = await execFileAsync('curl', ['-s', '-i', ...args], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  // With -i, curl prints every response (e.g. a 100 Continue) before the final one.
  const blocks = out.split(/\r\n\r\n/);
  let i = 0;
  while (/^HTTP\/[\d.]+ 100/.test(blocks[i] ?? '') && i < blocks.length - 1) i++;
  const head = blocks[i];
  const body = blocks.slice(i + 1).join('\r\n\r\n');
  const [statusLine, ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const at = l.indexOf(':');
    if (at > 0) headers[l.slice(0, at).toLowerCase()] = l.slice(at + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

/** Waits until `check` holds (polling), failing after `ms`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  ms = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A TCP port free on loopback right now (for a server the test starts itself). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}
