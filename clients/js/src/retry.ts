/**
 * When and how long to wait before sending a request again. Retried: 429 (rate limit), 502/503/504 (the server or a
 * proxy is overloaded or restarting) and connections that failed or were reset before an answer. Never retried: other
 * 4xx (the same request gets the same answer), 500 (a bug on the server), and our own time limit or an abort.
 */
import { ApiConnectionError, type SmallestApiError } from './errors.js';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First back-off delay in ms, doubled on each retry. */
  backoffMs: number;
  /** Cap on the exponential back-off (the server's own `retry_after` may ask for more). */
  maxBackoffMs: number;
  /** A server asking to wait longer than this gets the error instead of a retry. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxRetries: 3,
  backoffMs: 500,
  maxBackoffMs: 30_000,
  maxRetryAfterMs: 120_000,
};

const RETRIED_STATUS = new Set([429, 502, 503, 504]);

export function isRetryable(error: SmallestApiError): boolean {
  return RETRIED_STATUS.has(error.status) || error instanceof ApiConnectionError;
}

/**
 * The wait before retry number `attempt` (0-based): exponential back-off with "equal jitter" (half fixed, half
 * random, so clients that failed together do not come back together), but never shorter than the server's
 * `retry_after`. Undefined means: do not retry.
 */
export function retryDelayMs(
  error: SmallestApiError,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  if (attempt >= policy.maxRetries || !isRetryable(error)) return undefined;
  const exponential = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** attempt);
  const jittered = exponential / 2 + random() * (exponential / 2);
  const asked = (error.retryAfter ?? 0) * 1000;
  if (asked > policy.maxRetryAfterMs) return undefined;
  return Math.max(jittered, asked);
}
