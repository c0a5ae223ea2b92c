/**
 * The server's model, held by `count` worker threads (the desktop's job worker, one loaded model each), so that no
 * ONNX run ever happens on the HTTP event loop. The inference queue in front of this pool admits at most `count`
 * runs at once, so a free thread is normally waiting; a thread still finishing a cancelled run is not handed out
 * until it answers, and a thread that dies is replaced (its run fails with INTERNAL_ERROR).
 *
 * Why threads and not one session shared by concurrent runs: onnxruntime-node's `session.run` occupies its calling
 * thread for the whole window, so concurrent runs on one thread only take turns. One model copy per thread is the
 * price (the README's sizing note says so).
 */
import type { Worker } from 'node:worker_threads';
import type { DeviceInfo, Segment, TranscriptResult } from '../asr/types.ts';
import { EarshotError, fromApiError } from '../errors.ts';
import type { LoadedModelInfo, ModelLoadRequest, SamplesRequest } from '../jobs/samples-job.ts';
import { jobWorkerPath, retireWorker, startWorker } from '../jobs/worker-pipeline.ts';
import type { WorkerRequest, WorkerResponse } from '../jobs/worker-protocol.ts';

export type SamplesOptions = Omit<SamplesRequest, keyof ModelLoadRequest | 'samples' | 'streamSegments'>;

interface Slot {
  worker: Worker;
  busy: boolean;
}

let nextRunId = 0;

/** Receives a run's segments as they finish, and the fraction of the audio done after each window. */
export interface SegmentListener {
  segment(segment: Segment): void;
  progress(fraction: number): void;
}

/** The server's view of its model: what it is, and a way to run samples through it off the event loop. */
export interface ModelRunner {
  readonly family: LoadedModelInfo['family'];
  readonly name: string;
  readonly device: DeviceInfo;
  readonly languages: string[];
  readonly notice?: string;
  /**
   * `stream`: each segment as soon as it is recognised, and the fraction done after each window (not with speakers:
   * they are labelled at the end).
   */
  run(
    samples: Float32Array,
    options: SamplesOptions,
    signal: AbortSignal,
    stream?: SegmentListener,
  ): Promise<TranscriptResult>;
  dispose(): Promise<void>;
}

export class ModelThreads implements ModelRunner {
  readonly family: LoadedModelInfo['family'];
  readonly name: string;
  readonly device: DeviceInfo;
  readonly languages: string[];
  readonly notice?: string;
  private readonly slots: Slot[] = [];
  private readonly waiters: ((slot: Slot) => void)[] = [];
  private disposed = false;

  private constructor(
    private readonly load: ModelLoadRequest,
    info: LoadedModelInfo,
  ) {
    this.family = info.family;
    this.name = info.name;
    this.device = info.device;
    this.languages = info.languages;
    this.notice = info.notice;
  }

  /** Starts `count` threads and loads the model in each; rejects with the first load error. */
  static async start(load: ModelLoadRequest, count: number): Promise<ModelThreads> {
    const started = await Promise.allSettled(Array.from({ length: Math.max(1, count) }, () => loadedWorker(load)));
    const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.all(workers.map((w) => w.worker.terminate()));
      throw failed.reason;
    }
    const threads = new ModelThreads(load, workers[0].info);
    for (const { worker } of workers) threads.adopt(worker);
    return threads;
  }

  get threads(): number {
    return this.slots.length;
  }

  /** Runs decoded 16 kHz samples through the model on a free thread (the samples' buffer is handed over). */
  async run(
    samples: Float32Array,
    options: SamplesOptions,
    signal: AbortSignal,
    stream?: SegmentListener,
  ): Promise<TranscriptResult> {
    if (signal.aborted) throw abortError(signal);
    const slot = await this.acquire(signal);
    // Aborted while a thread was being handed over: its 'abort' event has already fired.
    if (signal.aborted) {
      this.release(slot);
      throw abortError(signal);
    }
    const jobId = `samples-${++nextRunId}`;
    const request: SamplesRequest = { ...this.load, ...options, samples, streamSegments: !!stream };
    // Zero-copy when the samples own their whole buffer (a decoded file can be hundreds of MB).
    const whole = samples.byteOffset === 0 && samples.byteLength === samples.buffer.byteLength;
    const transfer = whole && samples.buffer instanceof ArrayBuffer ? [samples.buffer] : [];
    return new Promise<TranscriptResult>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        fn();
      };
      const onMessage = (m: WorkerResponse) => {
        if (!('jobId' in m) || m.jobId !== jobId) return;
        if (m.type === 'segment' || m.type === 'stage') {
          if (settled) return;
          if (m.type === 'segment') stream?.segment(m.segment);
          else stream?.progress(m.fraction);
          return;
        }
        if (m.type !== 'transcript' && m.type !== 'error') return;
        finish();
        if (m.type === 'transcript') settle(() => resolve(m.result));
        else settle(() => reject(fromApiError(m.error)));
      };
      const onExit = (code: number) => {
        finish(true);
        settle(() =>
          reject(new EarshotError('INTERNAL_ERROR', `The transcription thread stopped unexpectedly (exit ${code})`)),
        );
      };
      // The caller gets its answer at once; the thread stays busy until it has really stopped.
      const onAbort = () => {
        slot.worker.postMessage({ type: 'cancel', jobId } satisfies WorkerRequest);
        settle(() => reject(abortError(signal)));
      };
      const finish = (died = false) => {
        slot.worker.off('message', onMessage);
        slot.worker.off('exit', onExit);
        if (died) this.replace(slot);
        else this.release(slot);
      };
      slot.worker.on('message', onMessage);
      slot.worker.on('exit', onExit);
      signal.addEventListener('abort', onAbort, { once: true });
      slot.worker.postMessage({ type: 'samples', jobId, request } satisfies WorkerRequest, transfer);
    });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => retireWorker(s.worker, 30_000)));
  }

  private adopt(worker: Worker): void {
    worker.unref();
    const slot: Slot = { worker, busy: false };
    // A thread's uncaught error ends it; its 'exit' (below, or the running call's) handles that.
    worker.on('error', () => {});
    // An idle thread that dies (out of memory, a native abort) is replaced too.
    worker.once('exit', () => {
      if (!slot.busy) this.replace(slot);
    });
    this.slots.push(slot);
    this.release(slot);
  }

  private acquire(signal: AbortSignal): Promise<Slot> {
    const idle = this.slots.find((s) => !s.busy);
    if (idle) {
      idle.busy = true;
      return Promise.resolve(idle);
    }
    return new Promise<Slot>((resolve, reject) => {
      const take = (slot: Slot) => {
        signal.removeEventListener('abort', onAbort);
        resolve(slot);
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(take);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(abortError(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(take);
    });
  }

  private release(slot: Slot): void {
    if (!this.slots.includes(slot)) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      slot.busy = true;
      waiter(slot);
    } else slot.busy = false;
  }

  private replace(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i < 0 || this.disposed) return;
    this.slots.splice(i, 1);
    loadedWorker(this.load).then(
      ({ worker }) => (this.disposed ? void worker.terminate() : this.adopt(worker)),
      () => {
        // The model loaded before; a thread that cannot load it now leaves the pool one smaller.
      },
    );
  }
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new EarshotError('CANCELLED', 'Cancelled by the user');
}

/** A job worker with the model loaded, and what it reported about the model. */
function loadedWorker(load: ModelLoadRequest): Promise<{ worker: Worker; info: LoadedModelInfo }> {
  const worker = startWorker(jobWorkerPath());
  return new Promise((resolve, reject) => {
    const onMessage = (m: WorkerResponse) => {
      if (m.type === 'loaded') {
        cleanup();
        resolve({ worker, info: m.model });
      } else if (m.type === 'load-failed') {
        cleanup();
        void worker.terminate();
        reject(fromApiError(m.error));
      }
    };
    const onError = (e: Error) => {
      cleanup();
      reject(new EarshotError('INTERNAL_ERROR', `The transcription thread failed to start: ${e.message}`));
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new EarshotError('INTERNAL_ERROR', `The transcription thread stopped while loading (exit ${code})`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage({ type: 'load', request: load } satisfies WorkerRequest);
  });
}
