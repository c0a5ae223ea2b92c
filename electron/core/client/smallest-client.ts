/**
 * A TypeScript client with the Smallest Self-Host SDK's shape:
 *
 *   const client = new SmallestClient({ apiUrl: 'http://localhost:7100', licenseKey: process.env.LICENSE_KEY! });
 *   const result = await client.transcribeUrl('https://example.com/audio.wav');
 *   console.log(result.text);
 *
 * It sends `Authorization: Token <key>`, retries 429 and 5xx answers (and network failures) with exponential
 * back-off that honours the server's `retry_after`, and throws `SmallestApiError` carrying the server's code.
 */
import { openAsBlob } from 'node:fs';
import path from 'node:path';
import { SmallestApiError } from './errors.ts';

export { SmallestApiError } from './errors.ts';

export interface SmallestClientOptions {
  apiUrl: string;
  licenseKey: string;
  /** Retries after the first attempt (default 3). */
  maxRetries?: number;
  /** First back-off delay; doubled per retry (default 1000 ms). */
  backoffMs?: number;
  /** Longest single wait, even if the server asks for more (default 120 s). */
  maxDelayMs?: number;
  /** Per-attempt time limit (default 300 s, the server's own budget). */
  timeoutMs?: number;
  /** A fetch implementation (e.g. undici's with a custom CA for a private TLS certificate). */
  fetch?: typeof fetch;
}

export interface TranscribeOptions {
  language?: string;
  punctuate?: boolean;
  diarize?: boolean;
  num_speakers?: number;
  timestamps?: boolean;
  callback_url?: string;
  /** Sent as X-Request-ID and echoed by the server. */
  requestId?: string;
  signal?: AbortSignal;
}

export interface TranscriptWord {
  word: string;
  start: number;
  end: number;
  confidence: number;
}

export interface TranscriptionResult {
  request_id: string;
  text: string;
  confidence: number;
  duration: number;
  language: string;
  words?: TranscriptWord[];
}

export interface JobAccepted {
  job_id: string;
  status: 'processing';
}

export interface JobState {
  job_id: string;
  status: 'processing' | 'completed' | 'failed';
  result?: TranscriptionResult;
  error?: { error: string; code: string };
}

export interface HealthStatus {
  status: 'healthy' | 'unhealthy';
  reason?: string;
  [key: string]: unknown;
}

type Body = { json: unknown } | { form: () => FormData } | undefined;

export class SmallestClient {
  private readonly apiUrl: string;
  private readonly options: Required<Omit<SmallestClientOptions, 'fetch'>> & { fetch: typeof fetch };

  constructor(options: SmallestClientOptions) {
    if (!options.apiUrl) throw new TypeError('SmallestClient: apiUrl is required');
    if (!options.licenseKey) throw new TypeError('SmallestClient: licenseKey is required');
    this.apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.options = {
      maxRetries: 3,
      backoffMs: 1000,
      maxDelayMs: 120_000,
      timeoutMs: 300_000,
      ...options,
      fetch: options.fetch ?? fetch,
    };
  }

  /** Transcribes audio the server downloads. With `callback_url` the answer is a job instead of the transcript. */
  transcribeUrl(url: string, options: TranscribeOptions & { callback_url: string }): Promise<JobAccepted>;
  transcribeUrl(url: string, options?: TranscribeOptions): Promise<TranscriptionResult>;
  transcribeUrl(url: string, options: TranscribeOptions = {}): Promise<TranscriptionResult | JobAccepted> {
    const { requestId, signal, ...fields } = options;
    return this.request('POST', '/v1/listen', { json: { url, ...fields } }, { requestId, signal });
  }

  /** Uploads a file (path or bytes) as multipart `audio`, with the options as form fields. */
  transcribeFile(
    file: string | Uint8Array,
    options: TranscribeOptions & { callback_url: string },
  ): Promise<JobAccepted>;
  transcribeFile(file: string | Uint8Array, options?: TranscribeOptions): Promise<TranscriptionResult>;
  async transcribeFile(
    file: string | Uint8Array,
    options: TranscribeOptions = {},
  ): Promise<TranscriptionResult | JobAccepted> {
    const { requestId, signal, ...fields } = options;
    // A path becomes a Blob backed by the file, so large uploads are streamed rather than read into memory.
    const blob = typeof file === 'string' ? await openAsBlob(file) : new Blob([new Uint8Array(file)]);
    const name = typeof file === 'string' ? path.basename(file) : 'audio';
    const form = () => {
      const data = new FormData();
      for (const [k, v] of Object.entries(fields)) if (v !== undefined) data.append(k, String(v));
      data.append('audio', blob, name);
      return data;
    };
    return this.request('POST', '/v1/listen', { form }, { requestId, signal });
  }

  /** GET /health (no auth). Resolves with the body for 200 and 503 alike; throws only when the server is unreachable. */
  async health(options: { detailed?: boolean; signal?: AbortSignal } = {}): Promise<HealthStatus> {
    const res = await this.send('GET', `/health${options.detailed ? '?detailed=true' : ''}`, undefined, {
      signal: options.signal,
      auth: false,
    });
    return (await res.json()) as HealthStatus;
  }

  /** Polls a callback job. */
  getJob(jobId: string, options: { signal?: AbortSignal } = {}): Promise<JobState> {
    return this.request('GET', `/v1/jobs/${encodeURIComponent(jobId)}`, undefined, options);
  }

  private async request<T>(
    method: string,
    route: string,
    body: Body,
    extra: { requestId?: string; signal?: AbortSignal },
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let error: SmallestApiError;
      try {
        const res = await this.send(method, route, body, { ...extra, auth: true });
        if (res.ok) return (await res.json()) as T;
        error = await errorFrom(res);
      } catch (e) {
        if (e instanceof SmallestApiError) error = e;
        else if (extra.signal?.aborted) throw e;
        else {
          const timedOut = e instanceof Error && e.name === 'TimeoutError';
          error = new SmallestApiError(
            timedOut ? 'The request timed out' : `Cannot reach ${this.apiUrl}: ${e instanceof Error ? e.message : e}`,
            { status: 0, code: timedOut ? 'TIMEOUT' : 'NETWORK_ERROR' },
            { cause: e },
          );
        }
      }
      if (!error.retryable || attempt >= this.options.maxRetries) throw error;
      await sleep(this.delay(attempt, error.retryAfter), extra.signal);
    }
  }

  /** Exponential back-off with jitter, but never shorter than what the server asked for. */
  private delay(attempt: number, retryAfterSeconds?: number): number {
    const backoff = this.options.backoffMs * 2 ** attempt * (0.75 + Math.random() * 0.5);
    const asked = retryAfterSeconds ? retryAfterSeconds * 1000 : 0;
    return Math.min(this.options.maxDelayMs, Math.max(backoff, asked));
  }

  private send(
    method: string,
    route: string,
    body: Body,
    extra: { requestId?: string; signal?: AbortSignal; auth: boolean },
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (extra.auth) headers.authorization = `Token ${this.options.licenseKey}`;
    if (extra.requestId) headers['x-request-id'] = extra.requestId;
    let payload: BodyInit | undefined;
    if (body && 'json' in body) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    } else if (body) payload = body.form();
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    return this.options.fetch(`${this.apiUrl}${route}`, {
      method,
      headers,
      body: payload,
      signal: extra.signal ? AbortSignal.any([extra.signal, timeout]) : timeout,
    });
  }
}

async function errorFrom(res: Response): Promise<SmallestApiError> {
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { error: text.slice(0, 200) };
  }
  const { error, code, ...details } = body;
  const header = Number(res.headers.get('retry-after'));
  const retryAfter = Number(body.retry_after) || (Number.isFinite(header) && header > 0 ? header : undefined);
  return new SmallestApiError(typeof error === 'string' ? error : `HTTP ${res.status}`, {
    status: res.status,
    code: typeof code === 'string' ? code : `HTTP_${res.status}`,
    details,
    requestId: res.headers.get('x-request-id') ?? (typeof body.request_id === 'string' ? body.request_id : undefined),
    retryAfter,
  });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
