/** The contract both decoders implement: a header once ffmpeg has opened the input, then PCM chunks. */
import type { StreamHeader } from './ffmpeg-log.ts';

export interface PcmProducer {
  /** Resolves when the input opened and decoding started; rejects with the specific EarshotError otherwise. */
  readonly header: Promise<StreamHeader>;
  /** 16 kHz mono float32 chunks; throws the decoder's error if it fails midway. */
  readonly chunks: AsyncIterable<Float32Array>;
  /** Non-fatal complaints ffmpeg logged while decoding. */
  warnings(): string[];
  /** Stops the decoder (kills the process or worker). Safe to call more than once. */
  close(): void;
}

export interface ProducerInput {
  path: string;
  /** The bytes matched a known container; decides UNSUPPORTED_FORMAT vs CORRUPT_MEDIA when ffmpeg refuses them. */
  recognised: boolean;
  signal?: AbortSignal;
}

/** Queue size before a decoder is paused: about 60 s of audio. */
export const HIGH_WATER_SAMPLES = 16000 * 60;
