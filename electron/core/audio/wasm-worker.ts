/**
 * Worker thread that runs ffmpeg's WebAssembly core (@ffmpeg/core) on one input file.
 *
 * The wasm heap is capped at 2 GB, so nothing large is held in it: the input file is mounted read-only through
 * WORKERFS, whose reads we serve straight from the file descriptor (a FileReaderSync stand-in), and the output is a
 * character device whose writes are posted to the parent in batches. The worker pauses (Atomics.wait) when the parent
 * has too many unread batches, so a 2-hour file streams through in bounded memory with no time slicing and no seams.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { inputArgs, pcmOutputArgs } from './ffmpeg-log.ts';

export interface WasmWorkerData {
  inputPath: string;
  /** Int32Array over a SharedArrayBuffer: [0] = batches posted and not yet taken by the consumer. */
  control: SharedArrayBuffer;
  maxInFlight: number;
  /** ffmpeg's wasm, compiled once by the parent and shared (compiling 30 MB per decode would dominate short files). */
  wasmModule: WebAssembly.Module;
}

export type WasmWorkerMessage =
  | { type: 'log'; line: string }
  | { type: 'pcm'; data: ArrayBuffer }
  | { type: 'exit'; code: number };

const BATCH_BYTES = 256 * 1024;

interface FfmpegCore {
  FS: {
    mkdir(path: string): void;
    mount(type: unknown, opts: unknown, mountpoint: string): void;
    filesystems: Record<string, unknown>;
    makedev(major: number, minor: number): number;
    registerDevice(dev: number, ops: Record<string, unknown>): void;
    mkdev(path: string, mode: number, dev: number): void;
  };
  setLogger(logger: (entry: { type: string; message: string }) => void): void;
  exec(...args: string[]): number;
}

/** A byte range of the input file, shaped like the Blob slices WORKERFS expects. */
class FileRange {
  readonly size: number;
  constructor(
    readonly fd: number,
    readonly start: number,
    readonly end: number,
  ) {
    this.size = Math.max(0, end - start);
  }
  slice(from: number, to: number): FileRange {
    return new FileRange(this.fd, this.start + from, Math.min(this.end, this.start + to));
  }
}

/** WORKERFS reads through FileReaderSync, which Node lacks; read the range synchronously from the descriptor. */
class FileRangeReader {
  readAsArrayBuffer(range: FileRange): ArrayBuffer {
    const out = new Uint8Array(range.size);
    let done = 0;
    while (done < range.size) {
      const n = readSync(range.fd, out, done, range.size - done, range.start + done);
      if (n === 0) break;
      done += n;
    }
    return out.buffer;
  }
}

async function main(data: WasmWorkerData): Promise<number> {
  const port = parentPort!;
  const control = new Int32Array(data.control);
  const require = createRequire(import.meta.url);
  const wasmPath = require.resolve('@ffmpeg/core/wasm');
  // The core is built for Web Workers: it reads self.location and FileReaderSync from the global scope.
  const g = globalThis as Record<string, unknown>;
  g.self = { location: { href: pathToFileURL(wasmPath).href } };
  g.FileReaderSync = FileRangeReader;

  // A computed specifier: the package ships no types, and it must stay a runtime import (never bundled).
  const corePackage = '@ffmpeg/core';
  const { default: createCore } = (await import(corePackage)) as {
    default: (opts: Record<string, unknown>) => Promise<FfmpegCore>;
  };
  const core = await createCore({
    instantiateWasm(imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance) => void) {
      WebAssembly.instantiate(data.wasmModule, imports).then(receive);
      return {};
    },
  });
  const fd = openSync(data.inputPath, 'r');
  try {
    const { FS } = core;
    FS.mkdir('/input');
    FS.mount(
      FS.filesystems.WORKERFS,
      { blobs: [{ name: 'media', data: new FileRange(fd, 0, fstatSync(fd).size) }] },
      '/input',
    );

    let batch = new Uint8Array(BATCH_BYTES);
    let filled = 0;
    const flush = () => {
      if (filled === 0) return;
      // Wait while the consumer is behind; the parent decrements the counter and notifies as it reads.
      while (Atomics.load(control, 0) >= data.maxInFlight) Atomics.wait(control, 0, Atomics.load(control, 0), 1000);
      Atomics.add(control, 0, 1);
      const out = batch.buffer.slice(0, filled);
      port.postMessage({ type: 'pcm', data: out } satisfies WasmWorkerMessage, [out]);
      batch = new Uint8Array(BATCH_BYTES);
      filled = 0;
    };
    const device = FS.makedev(64, 0);
    FS.registerDevice(device, {
      open: () => {},
      close: () => {},
      llseek: () => 0,
      write: (_stream: unknown, buffer: Uint8Array, offset: number, length: number) => {
        let done = 0;
        while (done < length) {
          const n = Math.min(length - done, BATCH_BYTES - filled);
          batch.set(buffer.subarray(offset + done, offset + done + n), filled);
          filled += n;
          done += n;
          if (filled === BATCH_BYTES) flush();
        }
        return length;
      },
    });
    FS.mkdev('/pcm', 0o666, device);

    core.setLogger(({ message }) => {
      if (!message.startsWith('Aborted(')) port.postMessage({ type: 'log', line: message } satisfies WasmWorkerMessage);
    });
    const code = core.exec(...inputArgs('/input/media'), ...pcmOutputArgs('/pcm'));
    flush();
    return code;
  } finally {
    closeSync(fd);
  }
}

if (parentPort) {
  main(workerData as WasmWorkerData).then(
    (code) => parentPort!.postMessage({ type: 'exit', code } satisfies WasmWorkerMessage),
    (e: unknown) => {
      parentPort!.postMessage({ type: 'log', line: `worker error: ${e instanceof Error ? e.message : String(e)}` });
      parentPort!.postMessage({ type: 'exit', code: -1 } satisfies WasmWorkerMessage);
    },
  );
}
