/** Audio ingestion: media files, bytes or URLs → 16 kHz mono float32, plus voice activity detection. */
export { type AudioStream, decodeStream, decodeToPcm16k } from './decode.ts';
export { type FetchedFile, fetchToTempFile } from './fetch-url.ts';
export { findFfmpeg } from './native.ts';
export { SUPPORTED_FORMATS, type SniffedFormat, sniffFile, sniffFormat } from './sniff.ts';
export type {
  AudioMeta,
  AudioSource,
  DecodedAudio,
  DecodeOptions,
  DecoderKind,
  UrlFetchOptions,
} from './types.ts';
export { TARGET_SAMPLE_RATE } from './types.ts';
export {
  detectSpeech,
  packRegions,
  regionsFromProbabilities,
  type SpeechRegion,
  type SpeechWindow,
  speechProbabilities,
  type VadOptions,
} from './vad.ts';
