/**
 * In-memory per-license limiters. Requests per minute: a sliding-window log (exact: at most N accepted requests in any
 * 60-second window). Concurrency: a counter with idempotent release handles. Both reset on restart by design; only the
 * audio quota (ledger.ts) must survive restarts.
 */
const WINDOW_MS = 60_000;

export class RequestRateLimiter {
  private readonly windows = new Map<string, number[]>();

  /** Counts requests accepted in the last minute. */
  count(licenseId: string, nowMs: number): number {
    return this.prune(licenseId, nowMs).length;
  }

  /** Accepts one request (returns 0) or refuses it, returning the whole seconds until one fits again (≥ 1). */
  take(licenseId: string, limit: number, nowMs: number): number {
    const stamps = this.prune(licenseId, nowMs);
    if (stamps.length >= limit)
      return Math.max(1, Math.ceil((stamps[stamps.length - limit] + WINDOW_MS - nowMs) / 1000));
    stamps.push(nowMs);
    this.windows.set(licenseId, stamps);
    return 0;
  }

  private prune(licenseId: string, nowMs: number): number[] {
    const stamps = this.windows.get(licenseId) ?? [];
    let drop = 0;
    // A stamp from the "future" (clock set back) still counts until it is a minute old by the new clock.
    while (drop < stamps.length && stamps[drop] <= nowMs - WINDOW_MS) drop++;
    if (drop > 0) stamps.splice(0, drop);
    if (stamps.length === 0) this.windows.delete(licenseId);
    return stamps;
  }
}

export interface ConcurrencySlot {
  /** Frees the slot; calling it again does nothing. */
  release(): void;
}

export class ConcurrencyLimiter {
  private readonly active = new Map<string, number>();

  count(licenseId: string): number {
    return this.active.get(licenseId) ?? 0;
  }

  /** A slot, or undefined when `limit` requests of this license are already running. */
  tryAcquire(licenseId: string, limit: number): ConcurrencySlot | undefined {
    const n = this.count(licenseId);
    if (n >= limit) return undefined;
    this.active.set(licenseId, n + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const left = this.count(licenseId) - 1;
        if (left <= 0) this.active.delete(licenseId);
        else this.active.set(licenseId, left);
      },
    };
  }
}
