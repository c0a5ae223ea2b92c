/**
 * TranscriptionPipeline that runs each job in a worker thread (job-worker). The worker lives across jobs so a loaded
 * model stays warm; if it crashes or ignores a cancel, it is replaced and the job fails (or cancels) cleanly.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EarshotError, fromApiError } from '../errors.ts';
import { workerScriptPath } from '../paths.ts';
import type { TranscriptResult } from '../asr/types.ts';
import type { LoadedModelInfo, ModelLoadRequest, SamplesRequest } from './samples-job.ts';
import type { JobError, PipelineCallbacks, PipelineInput, PipelineOutput, TranscriptionPipeline } from './types.ts';
import type { WorkerRequest, WorkerResponse } from './worker-protocol.ts';

const CANCEL_GRACE_MS = 2000;

/** The worker script: the .ts source when running from sources (tsx), the bundled .js in a build. */
export function jobWorkerPath(): string {
  const script = workerScriptPath(import.meta.url, 'job-worker');
  if (script.endsWith('.ts') || existsSync(script)) return script;
  return path.join(import.meta.dirname, 'job-worker.js');
}

/**
 * A .js worker starts directly. A .ts worker (sources run through tsx: tests, `npm run serve`) needs tsx's loader
 * registered inside the worker thread first, because loader hooks are per thread.
 */
export function startWorker(file: string): Worker {
  if (!file.endsWith('.ts')) return new Worker(file);
  const url = pathToFileURL(file).href;
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url)}); })`;
  return new Worker(boot, { eval: true });
}

let nextSamplesId = 0;

export class WorkerPipeline implements TranscriptionPipeline {
  private worker?: Worker;
  /** Workers still finishing a cancelled job; retired once idle. */
  private readonly draining = new Set<Worker>();
  /** `load` answers carry no id: one at a time. */
  private loading: Promise<unknown> = Promise.resolve();

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker(jobWorkerPath());
    worker.unref();
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
      this.draining.delete(worker);
    });
    this.worker = worker;
    return worker;
  }

  private retire(worker: Worker): Promise<void> {
    return retireWorker(worker, 60_000);
  }

  run(input: PipelineInput, cb: PipelineCallbacks): Promise<PipelineOutput> {
    const worker = this.ensureWorker();
    const send = (m: WorkerRequest) => worker.postMessage(m);
    return new Promise<PipelineOutput>((resolve, reject) => {
      let graceTimer: NodeJS.Timeout | undefined;
      let detached = false;
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        cb.signal.removeEventListener('abort', onAbort);
        cb.finish?.removeEventListener('abort', onFinish);
        clearTimeout(graceTimer);
      };
      const onMessage = (m: WorkerResponse) => {
        if (!('jobId' in m) || m.jobId !== input.jobId) return;
        if (detached) {
          // The cancelled job finally stopped: the drained worker can go.
          if (m.type === 'done' || m.type === 'error') {
            cleanup();
            void this.retire(worker);
          }
          return;
        }
        switch (m.type) {
          case 'stage':
            return cb.onStage(m.stage, m.fraction);
          case 'device':
            return cb.onDevice(m.device);
          case 'duration':
            return cb.onDuration(m.seconds);
          case 'segment':
            return cb.onSegment?.(m.segment);
          case 'resume':
            return cb.onResume?.(m.fromSeconds);
          case 'done':
            cleanup();
            return resolve(m.output);
          case 'error':
            cleanup();
            return reject(fromApiError(m.error));
        }
      };
      const onError = (e: Error) => {
        cleanup();
        if (!detached) reject(new EarshotError('INTERNAL_ERROR', `The transcription worker crashed: ${e.message}`));
      };
      const onExit = (code: number) => {
        cleanup();
        if (detached) return;
        if (cb.signal.aborted) reject(new EarshotError('CANCELLED', 'Cancelled by the user'));
        else reject(new EarshotError('INTERNAL_ERROR', `The transcription worker stopped unexpectedly (exit ${code})`));
      };
      const onAbort = () => {
        send({ type: 'cancel', jobId: input.jobId });
        // A long native call may not notice the cancel for a while: let the queue move on with a fresh worker and
        // retire this one once it is idle.
        graceTimer = setTimeout(() => {
          detached = true;
          if (this.worker === worker) this.worker = undefined;
          this.draining.add(worker);
          reject(new EarshotError('CANCELLED', 'Cancelled by the user'));
        }, CANCEL_GRACE_MS);
      };
      const onFinish = () => send({ type: 'finish', jobId: input.jobId });
      if (cb.finish?.aborted) onFinish();
      else cb.finish?.addEventListener('abort', onFinish, { once: true });
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      if (cb.signal.aborted) onAbort();
      else cb.signal.addEventListener('abort', onAbort, { once: true });
      send({ type: 'run', input });
    });
  }

  /**
   * Loads a model in this pipeline's worker, or finds it loaded: the worker keeps one model (jobs/engine.ts
   * cachedModel), so a request for the model the desktop's jobs run shares it instead of loading a second copy.
   */
  loadModel(request: ModelLoadRequest): Promise<LoadedModelInfo> {
    const load = this.loading.then(() => {
      const worker = this.ensureWorker();
      return workerReply<LoadedModelInfo>(
        worker,
        (m) => (m.type === 'loaded' ? { ok: m.model } : m.type === 'load-failed' ? { error: m.error } : undefined),
        'The transcription worker stopped while loading',
        () => worker.postMessage({ type: 'load', request } satisfies WorkerRequest),
      );
    });
    this.loading = load.catch(() => {});
    return load;
  }

  /** Runs decoded 16 kHz samples through the worker's model (the one `loadModel` loaded; its buffer is handed over). */
  runSamples(request: SamplesRequest, signal: AbortSignal): Promise<TranscriptResult> {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    const worker = this.ensureWorker();
    const jobId = `samples-${++nextSamplesId}`;
    const { samples } = request;
    const whole = samples.byteOffset === 0 && samples.byteLength === samples.buffer.byteLength;
    const transfer = whole && samples.buffer instanceof ArrayBuffer ? [samples.buffer] : [];
    return workerReply<TranscriptResult>(
      worker,
      (m) =>
        !('jobId' in m) || m.jobId !== jobId
          ? undefined
          : m.type === 'transcript'
            ? { ok: m.result }
            : m.type === 'error'
              ? { error: m.error }
              : undefined,
      'The transcription worker stopped unexpectedly',
      () => worker.postMessage({ type: 'samples', jobId, request } satisfies WorkerRequest, transfer),
      // The caller gets its answer at once; the worker stops the run at its next safe point.
      { signal, onAbort: () => worker.postMessage({ type: 'cancel', jobId } satisfies WorkerRequest) },
    );
  }

  async dispose(): Promise<void> {
    const workers = [this.worker, ...this.draining].filter((w): w is Worker => w !== undefined);
    this.worker = undefined;
    this.draining.clear();
    await Promise.all(workers.map((w) => this.retire(w)));
  }
}

/**
 * One request's answer from the worker: `answer` says which message is it (the result, or the error the worker
 * sent) and passes over the rest; the worker exiting first rejects with INTERNAL_ERROR ("`stopped` (exit N)");
 * `abort` gives the wait up at once, after telling the worker.
 */
function workerReply<T>(
  worker: Worker,
  answer: (m: WorkerResponse) => { ok: T } | { error: JobError } | undefined,
  stopped: string,
  send: () => void,
  abort?: { signal: AbortSignal; onAbort: () => void },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const done = () => {
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      abort?.signal.removeEventListener('abort', onAbort);
    };
    const onMessage = (m: WorkerResponse) => {
      const a = answer(m);
      if (!a) return;
      done();
      if ('ok' in a) resolve(a.ok);
      else reject(fromApiError(a.error));
    };
    const onExit = (code: number) => {
      done();
      reject(new EarshotError('INTERNAL_ERROR', `${stopped} (exit ${code})`));
    };
    const onAbort = () => {
      abort?.onAbort();
      done();
      reject(abort ? abortReason(abort.signal) : new Error('aborted'));
    };
    worker.on('message', onMessage);
    worker.on('exit', onExit);
    abort?.signal.addEventListener('abort', onAbort, { once: true });
    send();
  });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new EarshotError('CANCELLED', 'Cancelled by the user');
}

/**
 * Stops a job worker without ever terminating it inside a native inference call (which would abort the process): it
 * releases its model on request, answers `disposed`, and only then is terminated (or after `timeoutMs` regardless).
 */
export function retireWorker(worker: Worker, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      void worker.terminate().then(() => resolve());
    };
    const onMessage = (m: WorkerResponse) => m.type === 'disposed' && finish();
    const timer = setTimeout(finish, timeoutMs);
    worker.on('message', onMessage);
    worker.postMessage({ type: 'dispose' } satisfies WorkerRequest);
  });
}
