import type { DiarizationChoice } from '../diarize/models/resolve.ts';

/**
 * Everything the API server needs to know, in one record. `earshot serve` builds it from flags and environment;
 * the desktop app's built-in server builds it from settings. Defaults follow the Smallest Self-Host reference.
 */
export interface ServerConfig {
  host: string;
  port: number;
  /** Model folder or catalog id; undefined → the default model. */
  model?: string;
  /** PEM files; both set → HTTPS. */
  tlsCert?: string;
  tlsKey?: string;
  /** License keys the server accepts (LICENSE_KEY, comma-separated, for rotation). */
  licenseKeys: string[];
  /** Let URL inputs and callbacks reach private, loopback and link-local addresses. */
  allowPrivateUrls: boolean;
  /** Upload and download cap. */
  maxSizeMb: number;
  /** Requests allowed to wait for a worker before the server answers 503. */
  queueSize: number;
  /** Transcriptions that run at the same time on the one shared model. */
  workers: number;
  /** Longest audio accepted. */
  maxAudioSeconds: number;
  /** Whole-request budget: upload, download, decode and inference. */
  requestTimeoutSeconds: number;
  /** Longest a URL input's download may take, however steadily the origin trickles bytes. */
  downloadTimeoutSeconds: number;
  /** A live stream that sends nothing for this long is closed (it holds a concurrency slot). */
  streamIdleSeconds: number;
  /** Longest a live stream may stay open, whatever it sends. */
  streamMaxSeconds: number;
  /** Bearer token for GET /metrics; unset → only loopback clients with a license key may read it. */
  metricsToken?: string;
  /** Webhook delivery: attempts and the first back-off delay (doubled after each failure). */
  callbackAttempts: number;
  callbackBackoffMs: number;
  /** Completed and failed jobs stay pollable this long. */
  jobRetentionSeconds: number;
  device?: 'auto' | 'cpu' | 'gpu';
  threads?: number;
  /** Speaker diarization for `diarize=true`: auto (installed neural models, else classical), classical or neural. */
  diarizeWith?: DiarizationChoice;
  /** Silence the JSON-lines request log (the desktop app keeps its own log). */
  quiet?: boolean;
  /** Refuse requests whose Host or Origin is not this computer (DNS rebinding; host-guard.ts). The desktop's server. */
  guardHost?: boolean;
}

export const DEFAULT_SERVER_CONFIG: Omit<ServerConfig, 'licenseKeys'> = {
  host: '127.0.0.1',
  port: 7100,
  allowPrivateUrls: false,
  maxSizeMb: 100,
  queueSize: 32,
  workers: 1,
  maxAudioSeconds: 2 * 60 * 60,
  requestTimeoutSeconds: 300,
  downloadTimeoutSeconds: 120,
  streamIdleSeconds: 30,
  streamMaxSeconds: 2 * 60 * 60 + 10 * 60,
  callbackAttempts: 5,
  callbackBackoffMs: 1000,
  jobRetentionSeconds: 24 * 60 * 60,
};

/** Splits LICENSE_KEY ("k1,k2, k3") into keys, dropping blanks. */
export function parseLicenseKeys(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
}

export function envFlag(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}
