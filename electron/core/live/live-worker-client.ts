/**
 * The main-process side of the live engine (live-host.ts): starts it on first use (the model then stays warm), sends
 * it requests and routes its answers to the recording they belong to. Audio frames do not come through here: each
 * recording's frames go from the window straight to the engine over their own port, which the engine link opens at
 * `start` (live-thread.ts in Node, electron/main/live-engine.ts in the app).
 */
import type { DeviceInfo } from '../asr/types.ts';
import { EarshotError, fromApiError } from '../errors.ts';
import type { LiveEngine, LiveModelChoice, LiveRequest, LiveResponse, SpawnLiveEngine } from './live-protocol.ts';
import type { LiveFinal, LiveInterim, LiveResult } from './live-transcription.ts';

export interface LiveListener {
  onReady(model: string, device: DeviceInfo): void;
  onInterim(interim: LiveInterim): void;
  onFinal(final: LiveFinal): void;
  /** Seconds of audio the engine accepted (charged to the license). */
  onHeard(seconds: number): void;
  /** The window sent something that is not audio; the engine takes no more frames for this recording. */
  onRefused(error: EarshotError): void;
  onStopped(result: LiveResult): void;
  onError(error: EarshotError): void;
}

export class LiveWorkerClient {
  private engine?: LiveEngine;
  private readonly listeners = new Map<string, LiveListener>();

  constructor(private readonly spawn: SpawnLiveEngine) {}

  private ensureEngine(): LiveEngine {
    if (this.engine) return this.engine;
    const engine = this.spawn();
    engine.onMessage((m) => this.route(m));
    engine.onExit((reason) => {
      if (this.engine === engine) this.engine = undefined;
      for (const [id, l] of this.listeners) {
        this.listeners.delete(id);
        l.onError(new EarshotError('INTERNAL_ERROR', `The live transcription engine stopped: ${reason}`));
      }
    });
    this.engine = engine;
    return engine;
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
      case 'heard':
        l.onHeard(m.seconds);
        break;
      case 'refused':
        l.onRefused(fromApiError(m.error));
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

  private send(m: LiveRequest): void {
    this.ensureEngine().post(m);
  }

  prepare(model: LiveModelChoice): void {
    this.send({ type: 'prepare', model });
  }

  /** Starts a recording; its frames port's window end goes out through the engine link. */
  start(id: string, model: LiveModelChoice, listener: LiveListener): void {
    this.listeners.set(id, listener);
    this.send({ type: 'start', id, model });
  }

  flush(id: string): void {
    if (this.listeners.has(id)) this.send({ type: 'flush', id });
  }

  /** The engine takes no more frames for this recording (what it has is still transcribed at the stop). */
  hold(id: string): void {
    if (this.listeners.has(id)) this.send({ type: 'hold', id });
  }

  /** `waitMs`: how long the engine waits for the window's last frames (see LiveRequest). */
  stop(id: string, waitMs: number): void {
    if (this.listeners.has(id)) this.send({ type: 'stop', id, waitMs });
  }

  cancel(id: string): void {
    if (!this.listeners.delete(id)) return;
    this.send({ type: 'cancel', id });
  }

  /** Releases the model and ends the engine (never inside a native call: it disposes first, then exits). */
  async dispose(): Promise<void> {
    const engine = this.engine;
    if (!engine) return;
    this.engine = undefined;
    this.listeners.clear();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, 30_000);
      function done() {
        clearTimeout(timer);
        void engine!.kill().then(() => resolve());
      }
      engine.onMessage((m) => m.type === 'disposed' && done());
      engine.post({ type: 'dispose' });
    });
  }
}
