/**
 * `SmallestClient`: the Smallest Self-Host API from JavaScript (Node.js 18+ and browsers), with the seed's shape:
 *
 *   const client = new SmallestClient({ apiUrl: 'http://localhost:7100', licenseKey: process.env.LICENSE_KEY });
 *   const result = await client.transcribeUrl('https://example.com/audio.wav');
 *   console.log(result.text);
 *
 * It sends `Authorization: Token <key>`, retries what is worth retrying (see retry.ts) with exponential back-off and
 * jitter that honours the server's `retry_after`, can hold itself to a request rate, and throws one error class per
 * documented error code. Only the global `fetch`, `FormData` and `Blob` are used.
 */
import {
  ApiConnectionError,
  errorFromBody,
  errorFromResponse,
  RequestTimeoutError,
  ServerError,
  type SmallestApiError,
} from './errors.js';
import { RateLimiter, sleep } from './rate-limit.js';
import { DEFAULT_RETRY, type RetryPolicy, retryDelayMs } from './retry.js';
import type {
  FileInput,
  HealthStatus,
  JobAccepted,
  JobState,
  RetryEvent,
  SmallestClientOptions,
  TranscribeFileOptions,
  TranscribeOptions,
  TranscriptionResult,
  WaitForJobOptions,
} from './types.js';

type Body = { json: unknown } | { form: () => FormData } | undefined;
type Async = { callback_url: string };

const API_OPTIONS = ['language', 'punctuate', 'timestamps', 'diarize', 'num_speakers', 'callback_url'] as const;

export class SmallestClient {
  readonly apiUrl: string;
  // Private fields stay out of console.log, util.inspect and JSON.stringify: the key is never printed.
  readonly #licenseKey: string;
  readonly #fetch: typeof fetch;
  readonly #retry: RetryPolicy;
  readonly #timeoutMs: number;
  readonly #limiter?: RateLimiter;
  readonly #onRetry?: (retry: RetryEvent) => void;

  constructor(options: SmallestClientOptions) {
    if (!options?.apiUrl) throw new TypeError('SmallestClient: apiUrl is required');
    const key = options.licenseKey ?? environmentKey();
    if (!key) throw new TypeError('SmallestClient: licenseKey is required (or set LICENSE_KEY)');
    this.apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.#licenseKey = key;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#retry = {
      maxRetries: options.maxRetries ?? DEFAULT_RETRY.maxRetries,
      backoffMs: options.backoffMs ?? DEFAULT_RETRY.backoffMs,
      maxBackoffMs: options.maxBackoffMs ?? DEFAULT_RETRY.maxBackoffMs,
      maxRetryAfterMs: options.maxRetryAfterMs ?? DEFAULT_RETRY.maxRetryAfterMs,
    };
    this.#timeoutMs = options.timeoutMs ?? 300_000;
    this.#limiter =
      options.rateLimiter ??
      (options.maxRequestsPerMinute ? new RateLimiter(options.maxRequestsPerMinute, 60_000) : undefined);
    this.#onRetry = options.onRetry;
  }

  /** Transcribes audio the server downloads. With `callback_url` the answer is a job instead of the transcript. */
  transcribeUrl(url: string, options: TranscribeOptions & Async): Promise<JobAccepted>;
  transcribeUrl(url: string, options?: TranscribeOptions): Promise<TranscriptionResult>;
  transcribeUrl(url: string, options: TranscribeOptions = {}): Promise<TranscriptionResult | JobAccepted> {
    return this.#request('POST', '/v1/listen', { json: { url, ...apiOptions(options) } }, options);
  }

  /** Uploads audio as multipart `audio`, with the options as form fields. */
  transcribeFile(file: FileInput, options: TranscribeFileOptions & Async): Promise<JobAccepted>;
  transcribeFile(file: FileInput, options?: TranscribeFileOptions): Promise<TranscriptionResult>;
  async transcribeFile(
    file: FileInput,
    options: TranscribeFileOptions = {},
  ): Promise<TranscriptionResult | JobAccepted> {
    const { blob, name } = await toBlob(file);
    const fields = apiOptions(options);
    // Built again for every attempt; the Blob (for a path, backed by the file) is re-read rather than held in memory.
    const form = () => {
      const data = new FormData();
      for (const [k, v] of Object.entries(fields)) data.append(k, String(v));
      data.append('audio', blob, options.filename ?? name);
      return data;
    };
    return this.#request('POST', '/v1/listen', { form }, options);
  }

  /** GET /health (no key needed). Resolves with the body for 200 and 503 alike; throws when there is no answer. */
  async health(options: { detailed?: boolean; signal?: AbortSignal } = {}): Promise<HealthStatus> {
    const path = `/health${options.detailed ? '?detailed=true' : ''}`;
    return this.#attempt<HealthStatus>('GET', path, undefined, { signal: options.signal, auth: false }, [200, 503]);
  }

  /** The state of a callback job (only the key that created it may see it). */
  getJob(jobId: string, options: { signal?: AbortSignal } = {}): Promise<JobState> {
    return this.#request('GET', `/v1/jobs/${encodeURIComponent(jobId)}`, undefined, options);
  }

  /** Polls a callback job until it ends: its transcript, or the job's own error as its class. */
  async waitForJob(jobId: string, options: WaitForJobOptions = {}): Promise<TranscriptionResult> {
    const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
    let interval = options.pollIntervalMs ?? 1000;
    for (;;) {
      const job = await this.getJob(jobId, { signal: options.signal });
      if (job.status === 'completed' && job.result) return job.result;
      if (job.status === 'failed') {
        const error = job.error ?? { error: 'The job failed', code: 'INTERNAL_ERROR' };
        throw errorFromBody({ ...error, job_id: jobId });
      }
      if (Date.now() + interval > deadline) {
        throw new RequestTimeoutError(`Job ${jobId} did not finish in time`, {
          status: 0,
          code: 'TIMEOUT',
          details: { job_id: jobId },
        });
      }
      await sleep(interval, options.signal);
      interval = Math.min(interval * 1.5, 5000);
    }
  }

  async #request<T>(
    method: string,
    path: string,
    body: Body,
    extra: { requestId?: string; signal?: AbortSignal },
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      await this.#limiter?.acquire(extra.signal);
      let error: SmallestApiError;
      try {
        return await this.#attempt<T>(method, path, body, { ...extra, auth: true });
      } catch (e) {
        if (!isApiError(e)) throw e;
        error = e;
      }
      const delayMs = retryDelayMs(error, attempt, this.#retry);
      if (delayMs === undefined) throw error;
      this.#onRetry?.({ method, path, attempt: attempt + 1, delayMs, error });
      await sleep(delayMs, extra.signal);
    }
  }

  /** One request and its answer, within the time limit; every failure becomes a SmallestApiError (aborts excepted). */
  async #attempt<T>(
    method: string,
    path: string,
    body: Body,
    extra: { requestId?: string; signal?: AbortSignal; auth: boolean },
    okStatuses?: number[],
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (extra.auth) headers.authorization = `Token ${this.#licenseKey}`;
    if (extra.requestId) headers['x-request-id'] = extra.requestId;
    let payload: BodyInit | undefined;
    if (body && 'json' in body) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    } else if (body) payload = body.form();
    const limit = timeLimit(this.#timeoutMs, extra.signal);
    try {
      const res = await this.#fetch(`${this.apiUrl}${path}`, { method, headers, body: payload, signal: limit.signal });
      if (!(okStatuses ?? []).includes(res.status) && !res.ok) throw await errorFromResponse(res);
      const text = await res.text();
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new ServerError(`The server answered ${res.status} with a body that is not JSON`, {
          status: res.status,
          code: 'INVALID_RESPONSE',
          requestId: res.headers.get('x-request-id') ?? undefined,
        });
      }
    } catch (e) {
      if (isApiError(e)) throw e;
      if (extra.signal?.aborted) throw extra.signal.reason ?? e;
      if (limit.timedOut()) {
        throw new RequestTimeoutError(`No answer from ${this.apiUrl} within ${this.#timeoutMs} ms`, {
          status: 0,
          code: 'TIMEOUT',
        });
      }
      throw new ApiConnectionError(`Cannot connect to ${this.apiUrl}: ${describeNetworkError(e)}`, {
        status: 0,
        code: 'CONNECTION_ERROR',
      });
    } finally {
      limit.clear();
    }
  }
}

function isApiError(e: unknown): e is SmallestApiError {
  return e instanceof Error && 'status' in e && 'code' in e && typeof (e as SmallestApiError).status === 'number';
}

/** The API's own option names, without the client-only ones and without unset values. */
function apiOptions(options: TranscribeOptions): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const k of API_OPTIONS) if (options[k] !== undefined) out[k] = options[k];
  return out;
}

function environmentKey(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.LICENSE_KEY || undefined;
}

/** "fetch failed" says little; Node puts the reason (ECONNREFUSED, ECONNRESET, ENOTFOUND, ...) in `cause`. */
function describeNetworkError(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return cause.message ? `${cause.code} (${cause.message})` : cause.code;
  return e instanceof Error ? e.message : String(e);
}

/** The caller's signal combined with our time limit (AbortSignal.any needs Node 20). */
function timeLimit(ms: number, outer?: AbortSignal) {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error('timeout'));
  }, ms);
  const onAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) onAbort();
  else outer?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    clear: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    },
  };
}

/** Read through a variable so that browser bundlers do not try to resolve Node's fs. */
const NODE_FS = 'node:fs';

/** The two functions of Node's fs used here (typed locally: the package needs no Node typings). */
interface NodeFs {
  openAsBlob?: (path: string) => Promise<Blob>;
  promises: { readFile: (path: string) => Promise<Uint8Array> };
}

async function toBlob(file: FileInput): Promise<{ blob: Blob; name: string }> {
  if (typeof file === 'string') {
    const node = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
    if (!node) throw new TypeError('transcribeFile: file paths work only in Node.js; pass a Blob, File or bytes');
    const fs = (await import(/* @vite-ignore */ /* webpackIgnore: true */ NODE_FS)) as NodeFs;
    const name = file.split(/[\\/]/).pop() || 'audio';
    // openAsBlob (Node 19.8+) streams the file on upload; older versions read it into memory.
    const blob = fs.openAsBlob
      ? await fs.openAsBlob(file)
      : new Blob([(await fs.promises.readFile(file)) as Uint8Array<ArrayBuffer>]);
    return { blob, name };
  }
  if (typeof Blob !== 'undefined' && file instanceof Blob) {
    return { blob: file, name: (file as Blob & { name?: string }).name || 'audio' };
  }
  if (file instanceof ArrayBuffer) return { blob: new Blob([file]), name: 'audio' };
  if (ArrayBuffer.isView(file)) {
    const bytes = new Uint8Array(file.buffer as ArrayBuffer, file.byteOffset, file.byteLength);
    return { blob: new Blob([bytes]), name: 'audio' };
  }
  throw new TypeError('transcribeFile: pass a path, a Blob or File, an ArrayBuffer or a typed array');
}
