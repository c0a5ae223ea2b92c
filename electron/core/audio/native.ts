/**
 * The fast path: the system's ffmpeg as a child process, PCM read from its stdout with backpressure (the pipe is
 * paused while the consumer is behind, so memory stays bounded).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { EarshotError } from '../errors.ts';
import { FfmpegLog, inputArgs, pcmOutputArgs, type StreamHeader } from './ffmpeg-log.ts';
import { PcmQueue } from './pcm-queue.ts';
import { HIGH_WATER_SAMPLES, type PcmProducer, type ProducerInput } from './producer.ts';

const found = new Map<string, string | null>();

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The ffmpeg to use: an explicit path (must exist), else $EARSHOT_FFMPEG, else `ffmpeg` on PATH; null when none.
 */
export async function findFfmpeg(explicit?: string): Promise<string | null> {
  const configured = explicit ?? process.env.EARSHOT_FFMPEG;
  if (configured) return (await isExecutable(configured)) ? configured : null;
  const key = process.env.PATH ?? '';
  const cached = found.get(key);
  if (cached !== undefined) return cached;
  const names = process.platform === 'win32' ? ['ffmpeg.exe'] : ['ffmpeg'];
  let result: string | null = null;
  for (const dir of key.split(path.delimiter).filter(Boolean)) {
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (await isExecutable(candidate)) {
        result = candidate;
        break;
      }
    }
    if (result) break;
  }
  found.set(key, result);
  return result;
}

export function startNativeDecoder(ffmpeg: string, input: ProducerInput): PcmProducer {
  const log = new FfmpegLog();
  const args = inputArgs(path.resolve(input.path));
  const inputUrl = args.at(-1)!;
  const child = spawn(ffmpeg, [...args, ...pcmOutputArgs('pipe:1')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  });
  const queue = new PcmQueue(HIGH_WATER_SAMPLES, () => child.stdout.resume());
  let headerSettled = false;
  let resolveHeader!: (h: StreamHeader) => void;
  let rejectHeader!: (e: unknown) => void;
  const header = new Promise<StreamHeader>((resolve, reject) => {
    resolveHeader = resolve;
    rejectHeader = reject;
  });
  header.catch(() => {}); // the caller awaits it; avoid an unhandled rejection if it never does

  const fail = (error: unknown) => {
    if (!headerSettled) {
      headerSettled = true;
      rejectHeader(error);
    }
    queue.end(error);
  };

  let stderrTail = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    const lines = (stderrTail + text).split(/\r?\n|\r/);
    stderrTail = lines.pop() ?? '';
    for (const line of lines) log.push(line);
    if (!headerSettled && log.started) {
      const h = log.header();
      headerSettled = true;
      if (h) resolveHeader(h);
      else rejectHeader(log.failure(null, input.recognised));
    }
  });

  // f32le arrives in arbitrary pipe-sized pieces; keep a float's worth of leftover bytes between them.
  let carry: Buffer = Buffer.alloc(0);
  child.stdout.on('data', (data: Buffer) => {
    const bytes = carry.length ? Buffer.concat([carry, data]) : data;
    const usable = bytes.length - (bytes.length % 4);
    carry = Buffer.from(bytes.subarray(usable));
    if (usable === 0) return;
    // Copy into an aligned buffer of our own: pipe buffers are pooled and may sit at odd offsets.
    const samples = new Float32Array(usable / 4);
    new Uint8Array(samples.buffer).set(bytes.subarray(0, usable));
    if (!queue.push(samples)) child.stdout.pause();
  });

  let closed = false;
  child.on('error', (e: NodeJS.ErrnoException) => {
    fail(new EarshotError('INTERNAL_ERROR', `Could not run ffmpeg at ${ffmpeg}: ${e.code ?? e.message}`));
  });
  child.on('close', (code) => {
    input.signal?.removeEventListener('abort', close);
    if (stderrTail) log.push(stderrTail);
    if (closed) return;
    if (code !== 0 && !log.lines.some((line) => line.includes(inputUrl))) {
      // ffmpeg never got as far as the input: the program is unusable, not the media.
      const last = log.lines.filter((l) => l.trim()).at(-1) ?? `exit code ${code}`;
      return fail(new EarshotError('INTERNAL_ERROR', `ffmpeg at ${ffmpeg} failed before reading the input: ${last}`));
    }
    if (code !== 0 || !headerSettled) return fail(log.failure(code, input.recognised));
    queue.end();
  });

  function close(): void {
    if (closed) return;
    closed = true;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    fail(new EarshotError('CANCELLED', 'Cancelled by the user'));
  }
  input.signal?.addEventListener('abort', close, { once: true });

  return { header, chunks: queue, warnings: () => log.decodeWarnings(), close };
}
