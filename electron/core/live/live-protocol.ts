/** Messages between the live worker thread (live-worker.ts) and its owner in the main process (live-worker-client.ts). */
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
  | { type: 'start'; id: string; model: LiveModelChoice }
  /** Loads the model ahead of a recording (the Record screen opened), so the first words are not kept waiting. */
  | { type: 'prepare'; model: LiveModelChoice }
  /** 16-bit little-endian mono PCM at 16 kHz; the buffer is transferred, not copied. */
  | { type: 'audio'; id: string; pcm: ArrayBuffer }
  | { type: 'flush'; id: string }
  | { type: 'stop'; id: string }
  | { type: 'cancel'; id: string }
  | { type: 'dispose' };

export type LiveResponse =
  | { type: 'ready'; id: string; model: string; device: DeviceInfo }
  | { type: 'interim'; id: string; interim: LiveInterim }
  | { type: 'final'; id: string; final: LiveFinal }
  | { type: 'stopped'; id: string; result: LiveResult }
  | { type: 'error'; id: string; error: JobError }
  | { type: 'disposed' };
