/**
 * Result and option types shared by every model family (Whisper, CTC) and every face (CLI, API, desktop).
 * Times are seconds from the start of the input audio.
 */
import type { DeviceInfo, DeviceRequest } from '../onnx/types.ts';

export interface Word {
  word: string;
  start: number;
  end: number;
  /** 0..1, the model's probability for the word's tokens (geometric mean). */
  confidence: number;
  /** Who said it, when diarization ran (`SPEAKER_00`…, or the name the user gave). */
  speaker?: string;
}

export interface Segment {
  id: number;
  start: number;
  end: number;
  text: string;
  words?: Word[];
  /** Mean log-probability of the segment's tokens (Whisper); for CTC, mean log-probability of the emitted frames. */
  avgLogprob: number;
  /** Probability that the window held no speech (Whisper's <|nospeech|>); 0 for families without it. */
  noSpeechProb: number;
  /** Who spoke, when diarization ran (`SPEAKER_00`…, or the name the user gave). A segment has one speaker. */
  speaker?: string;
}

// The device types belong to the ONNX runtime layer (onnx/), below audio, models and asr; re-exported here.
export type { DeviceInfo, DeviceRequest } from '../onnx/types.ts';

export interface TranscribeOptions {
  /** ISO-639-1 code, or undefined/'auto' to detect. */
  language?: string;
  task?: 'transcribe' | 'translate';
  device?: DeviceRequest;
  threads?: number;
  mode?: 'sequential' | 'batched';
  beamSize?: number;
  /** Temperature fallback (Whisper's defaults) on by default. */
  temperatureFallback?: boolean;
  /** Custom vocabulary: names and jargon, given to Whisper as the initial prompt. */
  initialPrompt?: string;
  wordTimestamps?: boolean;
  /** Use voice activity detection to skip silence. */
  vad?: boolean;
  /**
   * Receives the speech the engine's voice activity detection found, block by block in time order: `regions` are all
   * the speech in [from, to) seconds. Diarization uses it instead of running the detector a second time.
   */
  onSpeech?: (span: { from: number; to: number; regions: { start: number; end: number }[] }) => void;
  signal?: AbortSignal;
  /**
   * Continuing an interrupted run (CTC): windows are planned over the whole recording as before, and those that end
   * by this many seconds (where `onProgress` said an earlier run had got to) are not run again, so the rest comes
   * out as it would have in one run.
   */
  resumeAfter?: number;
  /** Fraction of the audio done, 0..1. */
  onProgress?: (fraction: number) => void;
}

export interface TranscriptResult {
  text: string;
  language: string;
  duration: number;
  device: DeviceInfo;
  model: string;
  segments: Segment[];
  /** Present when speakers were labelled: how, and what was found. */
  diarization?: DiarizationSummary;
}

export interface DiarizationSummary {
  method: 'classical' | 'neural';
  /** True for the classical method (no model): labels are a best guess. */
  approximate: boolean;
  /** Speaker labels in order of first appearance. */
  speakers: string[];
  /** E.g. why fewer speakers were found than asked for. */
  note?: string;
}

/** 16 kHz mono float32 audio, the input every model family takes. */
export interface Pcm16k {
  samples: Float32Array;
  sampleRate: 16000;
}

/** A loaded model of any family. `transcribe` streams segments as they finish. */
export interface SpeechModel {
  /** Its family's id in the registry (asr/families.ts). */
  readonly family: string;
  readonly name: string;
  readonly device: DeviceInfo;
  readonly languages: string[];
  /** A notice the UI and CLI show with this model's results (e.g. the demo model's "trained on synthetic voices"). */
  readonly notice?: string;
  transcribe(audio: Pcm16k, options?: TranscribeOptions): TranscriptionRun;
  /**
   * The same from a stream of 16 kHz mono chunks, buffering only a few windows, so a multi-hour file never sits in
   * memory. `durationHint` (seconds) drives progress.
   */
  transcribeStream(
    chunks: AsyncIterable<Float32Array>,
    options?: TranscribeOptions & { durationHint?: number },
  ): TranscriptionRun;
  dispose(): Promise<void>;
}

/** One transcription in flight: iterate it for segments as they finish, or await `result()` for everything. */
export interface TranscriptionRun extends AsyncIterable<Segment> {
  /** Resolves once the run ends (draining the stream itself if nobody iterates it). */
  result(): Promise<TranscriptResult>;
}

/** How to open a model folder (every family takes these). */
export interface LoadModelOptions {
  device?: DeviceRequest;
  threads?: number;
  /** Weight variant for Whisper (fp32, fp16, quantized, q4); chosen per device when omitted. */
  variant?: string;
}
