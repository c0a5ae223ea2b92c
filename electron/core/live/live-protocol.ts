/**
 * Messages of live transcription. Two links reach the live host (live-host.ts), wherever it runs (a worker thread
 * in Node, an Electron utility process in the app):
 * - the control link from its owner in the main process (live-worker-client.ts): requests and their answers;
 * - one frames port per recording, whose other end the window holds: the microphone's PCM goes from the renderer
 *   straight to the host, never through the main process's event loop.
 */
import type { DeviceInfo } from '../asr/types.ts';
import type { JobError } from '../jobs/types.ts';
import type { LiveFinal, LiveInterim, LiveResult } from './live-transcription.ts';

export interface LiveModelChoice {
  modelDir: string;
  device: 'auto' | 'cpu' | 'gpu';
  threads?: number;
  /** Undefined: detect. */
  language?: string;
}

export type LiveRequest =
  /** Comes with the recording's frames port (the engine link opens the channel and hands the other end out). */
  | { type: 'start'; id: string; model: LiveModelChoice }
  /** Loads the model ahead of a recording (the Record screen opened), so the first words are not kept waiting. */
  | { type: 'prepare'; model: LiveModelChoice }
  | { type: 'flush'; id: string }
  /** Takes no more frames for this recording (its quota is used up); what was received is still transcribed. */
  | { type: 'hold'; id: string }
  /**
   * Decides the rest once the frames port has delivered its end marker or closed (at most `waitMs` later: the window
   * may be gone without closing its end), and answers `stopped`.
   */
  | { type: 'stop'; id: string; waitMs: number }
  | { type: 'cancel'; id: string }
  | { type: 'dispose' };

export type LiveResponse =
  | { type: 'ready'; id: string; model: string; device: DeviceInfo }
  | { type: 'interim'; id: string; interim: LiveInterim }
  | { type: 'final'; id: string; final: LiveFinal }
  /** Seconds of audio accepted since the last `heard` (at least one): the owner charges them to the license. */
  | { type: 'heard'; id: string; seconds: number }
  /** The window sent something that is not a frame: the host takes no more frames for this recording. */
  | { type: 'refused'; id: string; error: JobError }
  | { type: 'stopped'; id: string; result: LiveResult }
  | { type: 'error'; id: string; error: JobError }
  | { type: 'disposed' };

/**
 * What the window posts on a recording's frames port: 16-bit little-endian mono PCM at 16 kHz (an ArrayBuffer, or a
 * view of one), then `LIVE_FRAMES_END` once the recording stops, so the host knows it has every frame.
 */
export const LIVE_FRAMES_END = 'end';
/**
 * Posted on the frames port right before `live:pause`: the pause decides the text of every frame sent before it. The
 * pause itself travels on the control link, which is not ordered with the port.
 */
export const LIVE_FRAMES_FLUSH = 'flush';

/** 200 ms of 16-bit PCM at 16 kHz is 6400 bytes; a frame over 10 s is not from our worklet. */
export const MAX_FRAME_BYTES = 16000 * 2 * 10;

/** The control link as the host sees it (live-host.ts): the adapters are in live-thread.ts and electron/utility. */
export interface LiveControlPort {
  postMessage(message: LiveResponse): void;
  /** `frames`: the port that came with a `start`. */
  onMessage(listener: (message: LiveRequest, frames: LiveFramesPort | undefined) => void): void;
}

/** A recording's frames port as the host sees it. Data is untrusted (it comes from the renderer). */
export interface LiveFramesPort {
  onMessage(listener: (data: unknown) => void): void;
  /** The other end went away (the window closed or crashed). */
  onClose(listener: () => void): void;
  close(): void;
}

/** The live engine as its owner sees it: a worker thread (live-thread.ts) or an Electron utility process. */
export interface LiveEngine {
  /** A `start` also opens the recording's frames channel: one end goes with it, the other to the window. */
  post(message: LiveRequest): void;
  onMessage(listener: (message: LiveResponse) => void): void;
  /** It ended or failed (the reason, for the message to the user). */
  onExit(listener: (reason: string) => void): void;
  /** Ends it at once (after `disposed`: never inside a model call). */
  kill(): Promise<void>;
}

export type SpawnLiveEngine = () => LiveEngine;
