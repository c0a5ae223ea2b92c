/**
 * Client-side rate limiting, the seed's best practice: rather than sending a request the server would refuse with
 * 429, wait until the window has room. A sliding window over the start times of the last `maxCalls` requests; one
 * limiter may be shared by several clients that use the same license.
 */
export class RateLimiter {
  private readonly starts: number[] = [];

  constructor(
    readonly maxCalls: number,
    readonly periodMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(maxCalls) || maxCalls < 1)
      throw new RangeError('RateLimiter: maxCalls must be an integer >= 1');
    if (!(periodMs > 0)) throw new RangeError('RateLimiter: periodMs must be > 0');
  }

  /** Resolves when one more request may start, and counts it. */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.now();
      while (this.starts.length && this.starts[0] <= now - this.periodMs) this.starts.shift();
      if (this.starts.length < this.maxCalls) {
        this.starts.push(now);
        return;
      }
      await sleep(this.starts[0] + this.periodMs - now, signal);
    }
  }
}

/** A timer that an AbortSignal can cut short (rejecting with the signal's reason). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
