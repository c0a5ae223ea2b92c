/**
 * The persisted part of licensing, in dataPaths().usage: each license's audio seconds for the current UTC day, and
 * the clock high-water mark (the latest time this installation has seen). Loaded synchronously once (a small file),
 * written with writeJsonAtomic after every charge, so neither a restart nor a crash gives usage back. The effective
 * time is max(clock, high-water mark), which means turning the clock back neither revives an expired key nor
 * reopens an earlier day's quota.
 */
import { readFileSync } from 'node:fs';
import { EarshotError } from '../errors.ts';
import { writeJsonAtomic } from '../fs-atomic.ts';
import { isoSeconds, LicenseError } from './errors.ts';

interface DayUsage {
  day: string;
  audioSeconds: number;
}

interface LedgerFile {
  version: 1;
  clockHighWaterMs: number;
  usage: Record<string, DayUsage>;
}

/** Persist a high-water mark that only moved by time passing at most this often (charges persist at once). */
const HIGH_WATER_PERSIST_STEP_MS = 60_000;

export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function nextUtcMidnight(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}

export class UsageLedger {
  private data: LedgerFile;
  private persistedHighWaterMs: number;
  private writing: Promise<void> = Promise.resolve();
  private queued = false;
  private lastError: unknown;

  constructor(private readonly file: string) {
    this.data = load(file);
    this.persistedHighWaterMs = this.data.clockHighWaterMs;
  }

  get clockHighWaterMs(): number {
    return this.data.clockHighWaterMs;
  }

  /** Raises the high-water mark to `clockMs` if later and returns the effective time (never earlier than seen before). */
  observe(clockMs: number): number {
    if (Number.isFinite(clockMs) && clockMs > this.data.clockHighWaterMs) {
      this.data.clockHighWaterMs = clockMs;
      if (clockMs - this.persistedHighWaterMs >= HIGH_WATER_PERSIST_STEP_MS) void this.save().catch(() => {});
    }
    return this.data.clockHighWaterMs;
  }

  audioSecondsOn(licenseId: string, day: string): number {
    const u = this.data.usage[licenseId];
    return u && u.day === day ? u.audioSeconds : 0;
  }

  /**
   * Adds `seconds` to today's usage if that stays within `limitSeconds`, and persists before returning; otherwise
   * throws QUOTA_EXCEEDED and charges nothing. Synchronous check-and-add, so concurrent callers cannot overshoot.
   */
  async charge(licenseId: string, seconds: number, limitSeconds: number, nowMs: number): Promise<void> {
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new EarshotError('INVALID_PARAMETER', 'Audio duration must be a non-negative number of seconds');
    }
    const day = utcDay(nowMs);
    const used = this.audioSecondsOn(licenseId, day);
    if (used + seconds > limitSeconds) throw quotaExceeded(used, limitSeconds, nowMs);
    this.data.usage[licenseId] = { day, audioSeconds: used + seconds };
    await this.save();
  }

  /** Writes the current state; writes are serialised and coalesced. Rejects if the write fails (e.g. DISK_FULL). */
  save(): Promise<void> {
    if (this.queued) return this.writing;
    this.queued = true;
    this.writing = this.writing
      .catch(() => {})
      .then(async () => {
        this.queued = false;
        const snapshot = structuredClone(this.data);
        await writeJsonAtomic(this.file, snapshot, 0o600);
        this.persistedHighWaterMs = Math.max(this.persistedHighWaterMs, snapshot.clockHighWaterMs);
      });
    this.writing.catch((e) => {
      this.lastError = e;
    });
    return this.writing;
  }

  /** Waits for pending writes (e.g. before exit, or in tests). */
  async flush(): Promise<void> {
    await this.writing.catch(() => {});
    if (this.lastError) {
      const e = this.lastError;
      this.lastError = undefined;
      throw e;
    }
  }
}

export function quotaExceeded(usedSeconds: number, limitSeconds: number, nowMs: number): LicenseError {
  const hours = (s: number) => Math.round((s / 3600) * 1000) / 1000;
  return new LicenseError('QUOTA_EXCEEDED', `${hours(usedSeconds)} of ${hours(limitSeconds)} audio hours used today`, {
    resets_at: isoSeconds(nextUtcMidnight(nowMs) / 1000),
    audio_hours_per_day: limitSeconds / 3600,
    audio_hours_used: hours(usedSeconds),
  });
}

function load(file: string): LedgerFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, clockHighWaterMs: 0, usage: {} };
    throw e;
  }
  const parsed = JSON.parse(text) as Partial<LedgerFile>;
  if (parsed.version !== 1 || typeof parsed.clockHighWaterMs !== 'number' || typeof parsed.usage !== 'object') {
    throw new EarshotError('INTERNAL_ERROR', `The license usage file ${file} is not in a known format`);
  }
  return { version: 1, clockHighWaterMs: parsed.clockHighWaterMs, usage: parsed.usage ?? {} };
}
