/** The shapes of the Smallest Self-Host API as `earshot serve` answers them (field names as on the wire). */
import type { RateLimiter } from './rate-limit.js';
import type { SmallestApiError } from './errors.js';

export interface SmallestClientOptions {
  /** The server, e.g. `http://localhost:7100`. */
  apiUrl: string;
  /** The license key; in Node.js it defaults to the `LICENSE_KEY` environment variable. */
  licenseKey?: string;
  /** Retries after the first attempt (default 3). 0 turns retrying off. */
  maxRetries?: number;
  /** First back-off delay, doubled on each retry, with jitter (default 500 ms). */
  backoffMs?: number;
  /** Cap on the exponential back-off (default 30 s). */
  maxBackoffMs?: number;
  /** A server asking to wait longer than this (`retry_after`) gets its error thrown instead (default 120 s). */
  maxRetryAfterMs?: number;
  /** Time limit for one attempt, answer included (default 300 s, the server's own budget). */
  timeoutMs?: number;
  /** Client-side rate limit: wait instead of sending a request the license's per-minute limit would refuse. */
  maxRequestsPerMinute?: number;
  /** A limiter of your own (any window; share one between clients that use the same license). */
  rateLimiter?: RateLimiter;
  /** Called before each retry, e.g. to log it. */
  onRetry?: (retry: RetryEvent) => void;
  /** A fetch implementation (e.g. one whose dispatcher trusts a private certificate authority). */
  fetch?: typeof fetch;
}

export interface RetryEvent {
  method: string;
  path: string;
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
  error: SmallestApiError;
}

export interface TranscribeOptions {
  /** ISO 639-1 code (default `en`). */
  language?: string;
  /** Punctuation and casing (default true). */
  punctuate?: boolean;
  /** Word-level timestamps in `words` (default false). */
  timestamps?: boolean;
  diarize?: boolean;
  num_speakers?: number;
  /** Async mode: the answer is a job at once, and the result is POSTed here when ready. */
  callback_url?: string;
  /** Sent as X-Request-ID; the server echoes it as `request_id`. */
  requestId?: string;
  signal?: AbortSignal;
}

export interface TranscribeFileOptions extends TranscribeOptions {
  /** File name sent with the upload (default: the path's base name, the File's name, or `audio`). */
  filename?: string;
}

/** A path (Node.js only), a Blob or File, or bytes. */
export type FileInput = string | Blob | ArrayBuffer | ArrayBufferView;

export interface TranscriptWord {
  word: string;
  start: number;
  end: number;
  confidence: number;
  /** With `diarize: true`: `SPEAKER_00`, `SPEAKER_01`, … in order of first appearance. */
  speaker?: string;
}

/** With `diarize: true`: who spoke when, a speaker's consecutive segments joined. */
export interface SpeakerTurn {
  speaker: string;
  text: string;
  start: number;
  end: number;
}

export interface TranscriptionResult {
  request_id: string;
  text: string;
  confidence: number;
  /** Seconds of audio. */
  duration: number;
  language: string;
  /** Present with `timestamps: true`. */
  words?: TranscriptWord[];
  /** Present with `diarize: true`. */
  speakers?: SpeakerTurn[];
}

export interface JobAccepted {
  job_id: string;
  status: 'processing';
}

export interface JobState {
  job_id: string;
  status: 'processing' | 'completed' | 'failed';
  created_at?: string;
  completed_at?: string;
  result?: TranscriptionResult;
  error?: { error: string; code: string; [key: string]: unknown };
  /** Whether your callback endpoint answered 2xx. */
  callback_delivered?: boolean;
  callback_attempts?: number;
}

export interface WaitForJobOptions {
  /** Give up after this long (default 30 minutes). */
  timeoutMs?: number;
  /** First wait between polls, growing to 5 s (default 1 s). */
  pollIntervalMs?: number;
  signal?: AbortSignal;
}

export interface HealthStatus {
  status: 'healthy' | 'unhealthy';
  /** Why the server is not healthy (e.g. the model is still loading). */
  reason?: string;
  [key: string]: unknown;
}
