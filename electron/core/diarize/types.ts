/**
 * Speaker diarization ("who spoke when"): the types every face shares. Times are seconds from the start of the input;
 * speakers are labelled `SPEAKER_00`, `SPEAKER_01`, … in order of first appearance (the self-hosted API's labels).
 */
import type { SpeechRegion } from '../audio/vad.ts';

export type { SpeechRegion };

/** One stretch of one speaker's speech. Turns never overlap and come in time order. */
export interface SpeakerTurn {
  start: number;
  end: number;
  speaker: string;
}

/**
 * `classical`: MFCC statistics, change detection and agglomerative clustering; needs no weights, always available,
 * approximate. `neural`: pyannote segmentation-3.0 + WeSpeaker ResNet34 embeddings from a model folder.
 */
export type DiarizationMethod = 'classical' | 'neural';

export interface DiarizeOptions {
  /** Exact number of speakers when known; otherwise estimated with `threshold`. */
  numSpeakers?: number;
  /** Upper bound when estimating (default 8). */
  maxSpeakers?: number;
  /** Clustering distance under which two groups are the same speaker (method-specific default). */
  threshold?: number;
  signal?: AbortSignal;
  /** Fraction of the final step (clustering) done, 0..1; reading the audio reports through the transcriber. */
  onProgress?: (fraction: number) => void;
}

export interface DiarizationResult {
  turns: SpeakerTurn[];
  /** Labels in order of first appearance. */
  speakers: string[];
  method: DiarizationMethod;
  /** True for the classical method: its labels are a best guess, and the app says so. */
  approximate: boolean;
  /** Seconds of audio read. */
  duration: number;
  /** Why the result has fewer speakers than asked (e.g. only one voice was heard), for the user to see. */
  note?: string;
}

/**
 * A diarizer fed as the audio streams by (alongside transcription), so a multi-hour file never has to be held:
 * `push` each 16 kHz chunk in order, optionally `addSpeech` with the voice activity the transcriber already found
 * (saving a second pass of the VAD), then `finish`.
 */
export interface Diarizer {
  push(chunk: Float32Array): Promise<void>;
  /** All the speech in [from, to) seconds, found by someone else's VAD. Spans arrive in time order. */
  addSpeech(span: { from: number; to: number; regions: SpeechRegion[] }): void;
  finish(): Promise<DiarizationResult>;
  /** Releases what it holds (model sessions) when the work stops before `finish`; `finish` releases it itself. */
  dispose(): Promise<void>;
}

export function speakerLabel(index: number): string {
  return `SPEAKER_${String(index).padStart(2, '0')}`;
}
