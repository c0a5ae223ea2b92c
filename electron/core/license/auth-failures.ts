/**
 * Failed authentication attempts per client address, for monitoring and to slow down guessing: the first few
 * failures cost nothing, then each further consecutive failure doubles the delay the server waits before answering
 * (capped). Only a quiet spell (`forgetAfterMs` without a failure) clears the consecutive count, not a success from
 * the same address; the totals stay for monitoring.
 */
export interface FailedAuthEntry {
  address: string;
  failures: number;
  consecutive: number;
  lastAt: string;
}

export interface FailedAuthSnapshot {
  total: number;
  addresses: FailedAuthEntry[];
}

export interface FailedAuthPolicy {
  /** Consecutive failures answered without delay. */
  freeAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** After this long without a failure the consecutive count starts again. */
  forgetAfterMs: number;
  /** Most addresses remembered (oldest forgotten first), so a flood of addresses cannot exhaust memory. */
  maxAddresses: number;
}

export const DEFAULT_FAILED_AUTH_POLICY: FailedAuthPolicy = {
  freeAttempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  forgetAfterMs: 15 * 60_000,
  maxAddresses: 10_000,
};

interface Entry {
  failures: number;
  consecutive: number;
  lastAtMs: number;
}

export class FailedAuthTracker {
  private readonly entries = new Map<string, Entry>();
  private total = 0;

  constructor(private readonly policy: FailedAuthPolicy = DEFAULT_FAILED_AUTH_POLICY) {}

  /** Records one failure and returns the delay (ms) to apply before answering this address. */
  recordFailure(address: string, nowMs: number): number {
    this.total++;
    const entry = this.entries.get(address) ?? { failures: 0, consecutive: 0, lastAtMs: nowMs };
    if (nowMs - entry.lastAtMs > this.policy.forgetAfterMs) entry.consecutive = 0;
    entry.failures++;
    entry.consecutive++;
    entry.lastAtMs = nowMs;
    this.entries.delete(address); // re-insert: Map order is then least-recently-failed first
    this.entries.set(address, entry);
    while (this.entries.size > this.policy.maxAddresses) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return this.delayFor(entry.consecutive);
  }

  delayFor(consecutive: number): number {
    const over = consecutive - this.policy.freeAttempts;
    if (over <= 0) return 0;
    return Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** Math.min(over - 1, 30));
  }

  failedAuthCount(address?: string): number {
    return address === undefined ? this.total : (this.entries.get(address)?.failures ?? 0);
  }

  /** For monitoring: the total and the addresses with the most failures first (at most `limit`). */
  snapshot(limit = 100): FailedAuthSnapshot {
    const addresses = [...this.entries]
      .map(([address, e]) => ({
        address,
        failures: e.failures,
        consecutive: e.consecutive,
        lastAt: new Date(e.lastAtMs).toISOString(),
      }))
      .sort((a, b) => b.failures - a.failures)
      .slice(0, limit);
    return { total: this.total, addresses };
  }
}
