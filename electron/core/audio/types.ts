/** Public types of audio ingestion. All decoded audio is 16 kHz mono float32 in [-1, 1]. */

export const TARGET_SAMPLE_RATE = 16000;

/** The decoders a caller can choose: the system's ffmpeg ('native') or the built-in WebAssembly ffmpeg. */
export type DecoderKind = 'native' | 'wasm';

export interface AudioMeta {
  /** Seconds. While streaming this is the container's estimate; after decoding it is exact (samples / 16000). */
  duration: number;
  /** Container detected from the bytes (see SUPPORTED_FORMATS), e.g. 'mp3', 'm4a', 'webm'. */
  container: string;
  /** Codec of the decoded audio stream as ffmpeg names it, e.g. 'aac', 'opus', 'pcm_s24le'. */
  codec: string;
  originalSampleRate: number;
  channels: number;
  /** Which decoder ran; 'wav': a plain 16 kHz PCM WAV read in-process, without ffmpeg (decoder 'auto' only). */
  decoder: DecoderKind | 'wav';
  /** Size of the input in bytes. */
  bytes: number;
  /** Seconds the container's header declares (NaN when it does not say); unlike `duration`, never replaced. */
  declaredDuration: number;
  /** Non-fatal decoder complaints (e.g. a truncated tail that was skipped); absent when clean. */
  warnings?: string[];
}

export interface DecodedAudio {
  samples: Float32Array;
  sampleRate: 16000;
  meta: AudioMeta;
}

export interface UrlFetchOptions {
  /** Refuse downloads larger than this (FILE_TOO_LARGE). Default: no cap. */
  maxBytes?: number;
  /** Time allowed for DNS + TCP (+ TLS) connect. Default 10 s. */
  connectTimeoutMs?: number;
  /** Longest silence allowed while waiting for headers or body bytes. Default 30 s. */
  readTimeoutMs?: number;
  /** Default 5. */
  maxRedirects?: number;
  /** Longest the whole download may take (URL_FETCH_FAILED, reason `total_timeout`). Default: no cap. */
  totalTimeoutMs?: number;
  /**
   * Allow loopback, private and link-local targets. Default true (desktop); the API server passes false unless the
   * operator allows it. Checked on the resolved address of every hop.
   */
  allowPrivate?: boolean;
  signal?: AbortSignal;
  onProgress?: (received: number, total?: number) => void;
}

export interface DecodeOptions {
  signal?: AbortSignal;
  /** 0..1 as decoding advances (URL download is not included). */
  onProgress?: (fraction: number) => void;
  /** 'auto' (default): native ffmpeg when it is found, else the built-in WebAssembly ffmpeg. */
  decoder?: 'auto' | 'native' | 'wasm';
  /** Path of an ffmpeg executable; default: $EARSHOT_FFMPEG, then `ffmpeg` on PATH. */
  ffmpegPath?: string;
  /** Refuse inputs larger than this (FILE_TOO_LARGE). */
  maxBytes?: number;
  /** Refuse audio longer than this (AUDIO_TOO_LONG). */
  maxDurationSeconds?: number;
  /** Options for URL sources. */
  url?: UrlFetchOptions;
}

export type AudioSource = string | URL | Uint8Array;
