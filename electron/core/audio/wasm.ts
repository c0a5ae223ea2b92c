/**
 * The always-available decoder: ffmpeg's WebAssembly core in a worker thread (see wasm-worker.ts). One worker per
 * decode, so a crash or a runaway input takes down only that worker, and cancelling is `terminate()`.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EarshotError } from '../errors.ts';
import { appRoot } from '../paths.ts';
import { FfmpegLog, type StreamHeader } from './ffmpeg-log.ts';
import { PcmQueue } from './pcm-queue.ts';
import { HIGH_WATER_SAMPLES, type PcmProducer, type ProducerInput } from './producer.ts';
import type { WasmWorkerData, WasmWorkerMessage } from './wasm-worker.ts';

/** Batches of 256 KB (about 4 s of audio) the worker may have in flight before it waits. */
const MAX_IN_FLIGHT = 16;

/**
 * Where the worker script is: next to this module when running from source (tsx), or the bundled
 * `audio-wasm-worker.js` that tools/build.ts writes to dist/ (this code may be bundled into dist/, dist/main/ or a
 * worker bundle under dist/).
 */
export function wasmWorkerUrl(base = import.meta.url): URL {
  if (base.endsWith('.ts')) return new URL('./wasm-worker.ts', base);
  const candidates = [
    new URL('./audio-wasm-worker.js', base),
    new URL('../audio-wasm-worker.js', base),
    pathToFileURL(path.join(appRoot(), 'dist', 'audio-wasm-worker.js')),
  ];
  for (const url of candidates) if (existsSync(url)) return url;
  throw new EarshotError('INTERNAL_ERROR', `The audio decoder worker script is missing next to ${base}`);
}

/**
 * From source, the worker is TypeScript: workers do not inherit the tsx loader that `tsx` registers in the main
 * thread, so a one-line bootstrap registers it first (tsx is a dev dependency; the bundle never takes this path).
 */
function spawnWorker(url: URL, workerData: WasmWorkerData): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData });
  const tsxApi = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}

let compiled: Promise<WebAssembly.Module> | null = null;

/** ffmpeg's wasm compiled once per process; workers instantiate it without recompiling. */
export function ffmpegWasmModule(): Promise<WebAssembly.Module> {
  compiled ??= readFile(createRequire(import.meta.url).resolve('@ffmpeg/core/wasm')).then((bytes) =>
    WebAssembly.compile(bytes),
  );
  compiled.catch(() => {
    compiled = null;
  });
  return compiled;
}

export async function startWasmDecoder(input: ProducerInput): Promise<PcmProducer> {
  const wasmModule = await ffmpegWasmModule();
  const log = new FfmpegLog();
  const control = new SharedArrayBuffer(4);
  const inFlight = new Int32Array(control);
  const workerData: WasmWorkerData = { inputPath: input.path, control, maxInFlight: MAX_IN_FLIGHT, wasmModule };
  const worker = spawnWorker(wasmWorkerUrl(), workerData);

  const queue = new PcmQueue(
    HIGH_WATER_SAMPLES,
    () => {},
    () => {
      Atomics.sub(inFlight, 0, 1);
      Atomics.notify(inFlight, 0);
    },
  );
  let headerSettled = false;
  let finished = false;
  let resolveHeader!: (h: StreamHeader) => void;
  let rejectHeader!: (e: unknown) => void;
  const header = new Promise<StreamHeader>((resolve, reject) => {
    resolveHeader = resolve;
    rejectHeader = reject;
  });
  header.catch(() => {});

  const fail = (error: unknown) => {
    finished = true;
    if (!headerSettled) {
      headerSettled = true;
      rejectHeader(error);
    }
    queue.end(error);
    void worker.terminate();
  };

  worker.on('message', (message: WasmWorkerMessage) => {
    if (finished) return;
    if (message.type === 'log') {
      log.push(message.line);
      if (!headerSettled && log.started) {
        headerSettled = true;
        const h = log.header();
        if (h) resolveHeader(h);
        else fail(log.failure(null, input.recognised));
      }
    } else if (message.type === 'pcm') {
      queue.push(new Float32Array(message.data));
    } else if (message.type === 'exit') {
      if (message.code !== 0 || !headerSettled) return fail(log.failure(message.code, input.recognised));
      finished = true;
      queue.end();
      void worker.terminate();
    }
  });
  worker.on('error', (e) => {
    if (finished) return;
    log.push(`worker error: ${e.message}`);
    fail(log.failure(-1, input.recognised));
  });
  worker.on('exit', () => {
    input.signal?.removeEventListener('abort', close);
    if (!finished) fail(log.failure(-1, input.recognised));
  });

  function close(): void {
    if (finished) return;
    fail(new EarshotError('CANCELLED', 'Cancelled by the user'));
  }
  input.signal?.addEventListener('abort', close, { once: true });

  return { header, chunks: queue, warnings: () => log.decodeWarnings(), close };
}
