/**
 * One sleep and one retry-with-backoff for core: model downloads (models/download.ts) and webhook deliveries
 * (server/jobs.ts) retry with it, and waits that must end when the work is cancelled sleep with it. The clustered
 * server's queue has its own (BullMQ's backoff), as a library.
 */
import { setTimeout as wait } from 'node:timers/promises';
import { EarshotError, isEarshotError } from './errors.ts';

/** Waits `ms`; when `signal` aborts first, rejects with its reason if that is ours, else CANCELLED. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await wait(ms, undefined, { signal });
  } catch (e) {
    if (!signal?.aborted) throw e;
    throw isEarshotError(signal.reason) ? signal.reason : new EarshotError('CANCELLED', 'Cancelled');
  }
}

export interface RetryOptions {
  /** Retries after the first attempt (so at most `retries + 1` attempts). */
  retries: number;
  /** The first wait; each next one doubles, up to `maxMs`. */
  baseMs: number;
  maxMs?: number;
  /** Whether this failure is worth another attempt (default: every one). */
  shouldRetry?: (error: unknown) => boolean;
  /** Ends the waits between attempts (see `sleep`). */
  signal?: AbortSignal;
}

/** Runs `attempt(n)` (n from 1) until it resolves, retrying failures with exponential backoff. */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (n > options.retries || !(options.shouldRetry?.(e) ?? true)) throw e;
      const delay = Math.min(options.baseMs * 2 ** (n - 1), options.maxMs ?? Number.POSITIVE_INFINITY);
      await sleep(delay, options.signal);
    }
  }
}
