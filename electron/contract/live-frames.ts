/**
 * The window's end of each recording's frames port (see electron/core/live/live-host.ts): `live.audio` posts on it,
 * so the microphone's frames go straight to the live engine. The port comes from the main process shortly after
 * `live:start` answers (a separate message, not ordered with the answer), so frames sent before it arrives wait here,
 * a bounded few. Used by the preload with Electron's MessagePort and by the e2e harness with a page binding.
 */
import { LIVE_FRAMES_END, LIVE_FRAMES_FLUSH } from '../core/live/live-protocol.ts';

/** What is needed of a port: the DOM's MessagePort fits. */
export interface FramesPortEnd {
  postMessage(data: unknown): void;
  close(): void;
}

/** 20 s of 100 ms frames: far more than the port's delay; beyond that the port is not coming. */
const MAX_WAITING = 200;

export class LiveFramesSender {
  private readonly ports = new Map<string, FramesPortEnd>();
  private readonly waiting = new Map<string, unknown[]>();

  /** The main process handed over the port of recording `id`. */
  attach(id: string, port: FramesPortEnd): void {
    const queued = this.waiting.get(id) ?? [];
    this.waiting.delete(id);
    this.ports.set(id, port);
    for (const data of queued) this.post(id, data);
  }

  /** One frame of 16-bit little-endian mono PCM at 16 kHz. */
  send(id: string, pcm: ArrayBuffer): void {
    this.post(id, pcm);
  }

  /** The frames so far are to be decided (called right before `live:pause`). */
  flush(id: string): void {
    this.post(id, LIVE_FRAMES_FLUSH);
  }

  /** The last frame was sent: the engine may decide the rest (called right before `live:stop`). */
  end(id: string): void {
    this.post(id, LIVE_FRAMES_END);
  }

  private post(id: string, data: unknown): void {
    const port = this.ports.get(id);
    if (!port) {
      const queue = this.waiting.get(id) ?? [];
      if (queue.length < MAX_WAITING || typeof data === 'string') queue.push(data); // markers are never dropped
      this.waiting.set(id, queue);
      return;
    }
    port.postMessage(data);
    if (data === LIVE_FRAMES_END) {
      port.close();
      this.ports.delete(id);
    }
  }
}
