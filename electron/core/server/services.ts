/**
 * The narrow view of the engine the server is built on. `deps.ts` fills it from the real modules (audio, license,
 * asr, models); the server itself never imports them directly, so the whole HTTP surface depends on this one shape.
 */
import type { Pcm16k, SpeechModel } from '../asr/types.ts';
import type { NeuralModels } from '../diarize/models/neural.ts';
import type { DiarizationChoice } from '../diarize/models/resolve.ts';
import type { ModelLoadRequest } from '../jobs/samples-job.ts';
import type { ModelRunner } from './model-threads.ts';

export interface DecodedAudio extends Pcm16k {
  /** Seconds of audio. */
  duration: number;
}

export interface AudioService {
  /** Decodes a file path or bytes to 16 kHz mono float32. Throws EarshotError (UNSUPPORTED_FORMAT, CORRUPT_MEDIA...). */
  decode(source: string | Uint8Array, signal: AbortSignal): Promise<DecodedAudio>;
  /** Streams an http(s) URL to a temp file under the size cap and the time cap; the caller removes the file. */
  download(
    url: string,
    options: { maxBytes: number; allowPrivate: boolean; totalTimeoutMs: number; signal: AbortSignal },
  ): Promise<{ path: string; bytes: number }>;
  /** A converter for a live PCM16 stream at `inputRate` to 16 kHz, kept for the whole stream. */
  resampler(inputRate: number): Promise<PcmResampler>;
  /** Container names accepted, for the 415 body. */
  supportedFormats: readonly string[];
}

export interface PcmResampler {
  /** Little-endian PCM16 (even byte count) → 16 kHz float32, continuing the previous frame. */
  convert(pcm16: Buffer): Float32Array;
  close(): void;
}

/** One authorised use of a license; release it when the work ends. */
export interface LicenseLease {
  recordAudio(seconds: number): Promise<void> | void;
  release(): void;
}

export interface LicenseGate {
  /** Throws EarshotError (INVALID_LICENSE, LICENSE_EXPIRED...) unless the key is a valid license. */
  verify(key: string): Promise<void>;
  /** Checks validity, rate, concurrency and quota; throws the matching EarshotError, slowing repeat offenders. */
  authorize(key: string, clientAddress: string): Promise<LicenseLease>;
  /**
   * Records a failed attempt from an address (missing or foreign key); resolves to how long to stall that client
   * before answering (repeat offenders are slowed down). `authorize` errors carry the same as `delayMs`.
   */
  recordFailure(clientAddress: string): Promise<number>;
  /** Constant-time equality for secrets of any length. */
  safeEqual(a: string, b: string): boolean;
  /** Quota use for /metrics: audio seconds used today per license id. */
  usage(): Promise<{ licenseId: string; audioSecondsToday: number; audioSecondsPerDay: number }[]>;
  redact(key: string): string;
}

export interface LoadedModel {
  id: string;
  model: SpeechModel;
}

export interface ModelProvider {
  /** Finds the configured (or default) model's folder without loading it (the server loads it in its threads). */
  resolve(idOrPath: string | undefined): Promise<{ id: string; dir: string }>;
  /** Resolves and loads the configured (or default) model. */
  load(
    idOrPath: string | undefined,
    options: { device?: 'auto' | 'cpu' | 'gpu'; threads?: number },
  ): Promise<LoadedModel>;
  /** The diarization models `diarize=true` runs (undefined: the classical method). */
  diarizationModels?(choice: DiarizationChoice): Promise<NeuralModels | undefined>;
  /**
   * Where the model runs, when the host already holds it (the desktop's built-in server uses the desktop's job worker,
   * so the model is loaded once). Absent: the server starts its own model threads (`workers` of them).
   */
  runner?(load: ModelLoadRequest, workers: number): Promise<ModelRunner>;
}

export interface ServerServices {
  audio: AudioService;
  license: LicenseGate;
  models: ModelProvider;
}
