/**
 * The main-process side of the live worker: starts it on first use (the model then stays warm), relays frames to it
 * as transferred buffers (no copy, no decoding here) and routes its answers to the recording they belong to.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { DeviceInfo } from '../asr/types.ts';
import { EarshotError, fromApiError } from '../errors.ts';
import { startWorker } from '../jobs/worker-pipeline.ts';
import { appRoot } from '../paths.ts';
import type { LiveModelChoice, LiveRequest, LiveResponse } from './live-protocol.ts';
import type { LiveFinal, LiveInterim, LiveResult } from './live-transcription.ts';

/** The worker script: the .ts source when running from sources (tsx), the bundled .js in a build. */
function liveWorkerPath(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return path.join(path.dirname(here), 'live-worker.ts');
  const bundled = path.join(appRoot(), 'dist', 'workers', 'live-worker.js');
  const unpacked = bundled.replace(`${path.sep}app.asar${path.sep}`, `${path.sep}app.asar.unpacked${path.sep}`);
  if (unpacked !== bundled && existsSync(unpacked)) return unpacked;
  return bundled;
}

export interface LiveListener {
  onReady(model: string, device: DeviceInfo): void;
  onInterim(interim: LiveInterim): void;
  onFinal(final: LiveFinal): void;
  onStopped(result: LiveResult): void;
  onError(error: EarshotError): void;
}

export class LiveWorkerClient {
  private worker?: Worker;
  private readonly listeners = new Map<string, LiveListener>();

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker(liveWorkerPath());
    worker.unref();
    worker.on('message', (m: LiveResponse) => this.route(m));
    const lost = (reason: string) => {
      if (this.worker === worker) this.worker = undefined;
      for (const [id, l] of this.listeners) {
        this.listeners.delete(id);
        l.onError(new EarshotError('INTERNAL_ERROR', `The live transcription worker stopped: ${reason}`));
      }
    };
    worker.on('error', (e) => lost(e.message));
    worker.on('exit', (code) => lost(`exit ${code}`));
    this.worker = worker;
    return worker;
  }

  private route(m: LiveResponse): void {
    if (m.type === 'disposed') return;
    const l = this.listeners.get(m.id);
    if (!l) return;
    switch (m.type) {
      case 'ready':
        l.onReady(m.model, m.device);
        break;
      case 'interim':
        l.onInterim(m.interim);
        break;
      case 'final':
        l.onFinal(m.final);
        break;
      case 'stopped':
        this.listeners.delete(m.id);
        l.onStopped(m.result);
        break;
      case 'error':
        this.listeners.delete(m.id);
        l.onError(fromApiError(m.error));
        break;
    }
  }

  private send(m: LiveRequest, transfer: ArrayBuffer[] = []): void {
    this.ensureWorker().postMessage(m, transfer);
  }

  prepare(model: LiveModelChoice): void {
    this.send({ type: 'prepare', model });
  }

  start(id: string, model: LiveModelChoice, listener: LiveListener): void {
    this.listeners.set(id, listener);
    this.send({ type: 'start', id, model });
  }

  /** 16-bit PCM at 16 kHz; `pcm` must not be used by the caller afterwards (its buffer moves to the worker). */
  audio(id: string, pcm: Uint8Array): void {
    if (!this.listeners.has(id)) return;
    const own = pcm.byteOffset === 0 && pcm.byteLength === pcm.buffer.byteLength ? pcm : pcm.slice();
    this.send({ type: 'audio', id, pcm: own.buffer as ArrayBuffer }, [own.buffer as ArrayBuffer]);
  }

  flush(id: string): void {
    if (this.listeners.has(id)) this.send({ type: 'flush', id });
  }

  stop(id: string): void {
    if (this.listeners.has(id)) this.send({ type: 'stop', id });
  }

  cancel(id: string): void {
    if (!this.listeners.delete(id)) return;
    this.send({ type: 'cancel', id });
  }

  /** Releases the model and ends the worker (never inside a native call: it disposes first, then exits). */
  async dispose(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    this.listeners.clear();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, 30_000);
      function done() {
        clearTimeout(timer);
        void worker!.terminate().then(() => resolve());
      }
      worker.on('message', (m: LiveResponse) => m.type === 'disposed' && done());
      worker.postMessage({ type: 'dispose' } satisfies LiveRequest);
    });
  }
}
