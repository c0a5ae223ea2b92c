/**
 * The persisted part of licensing, in dataPaths().usage: each license's audio seconds for the current UTC day, and
 * the clock high-water mark (the latest time this installation has seen). Written with writeJsonAtomic after every
 * charge, so neither a restart nor a crash gives usage back. The effective time is max(clock, high-water mark), so
 * turning the clock back neither revives an expired key nor reopens an earlier day's quota.
 *
 * Several processes may share the folder (the desktop app, a CLI run and the server, say). So the file, not memory, is
 * the truth: every read merges the file with this process's not-yet-written charges, and every write re-reads the
 * file and adds those charges to it while holding an inter-process lock (proper-lockfile: a `.lock` directory beside
 * the file, taken over when stale), so two writers never both start from the same old file. Measured without the
 * lock: two processes charging 150 times each lost 32 of 300 charges.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { recoverDataFile } from '../data-notices.ts';
import { EarshotError } from '../errors.ts';
import { breakDeadLock, withFileLock } from '../file-lock.ts';
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
  /** Which ledger instance wrote the file, and its write number: lets a writer tell whether its write has landed. */
  writer?: string;
  seq?: number;
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

/** Adds charges to a ledger: same day → summed; a later day replaces; an earlier day's charge is history. */
function applyCharges(base: LedgerFile, charges: ReadonlyMap<string, DayUsage>, highWaterMs: number): LedgerFile {
  const out: LedgerFile = {
    ...base,
    clockHighWaterMs: Math.max(base.clockHighWaterMs, highWaterMs),
    usage: { ...base.usage },
  };
  for (const [id, charge] of charges) {
    const current = out.usage[id];
    if (!current || charge.day > current.day) out.usage[id] = { ...charge };
    else if (charge.day === current.day) {
      out.usage[id] = { day: current.day, audioSeconds: current.audioSeconds + charge.audioSeconds };
    }
  }
  return out;
}

/** One charge waiting to be written, with the limit it must fit under (checked again, under the lock). */
interface Charge {
  licenseId: string;
  day: string;
  seconds: number;
  limitSeconds: number;
  nowMs: number;
  /** Charge what fits (down to the room left under the lock) instead of refusing the whole charge. */
  partial?: boolean;
  /** Set under the lock when the file (other processes' charges included) leaves no room for it. */
  refused?: LicenseError;
}

function sumCharges(charges: readonly Charge[]): Map<string, DayUsage> {
  const sums = new Map<string, DayUsage>();
  for (const c of charges) {
    if (c.refused) continue;
    const current = sums.get(c.licenseId);
    if (!current || c.day > current.day) sums.set(c.licenseId, { day: c.day, audioSeconds: c.seconds });
    else if (c.day === current.day) current.audioSeconds += c.seconds;
  }
  return sums;
}

export class UsageLedger {
  private highWaterMs: number;
  private persistedHighWaterMs: number;
  /** Charges made here and not yet written. */
  private unsaved: Charge[] = [];
  /** Charges being written now, and the write's number. */
  private inFlight: { charges: readonly Charge[]; seq: number } | undefined;
  private readonly writerId = randomUUID();
  private seq = 0;
  private writing: Promise<void> = Promise.resolve();
  private queued = false;
  private lastError: unknown;

  constructor(private readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true }); // the lock directory goes beside the file
    this.highWaterMs = load(file).clockHighWaterMs;
    this.persistedHighWaterMs = this.highWaterMs;
  }

  /** The current state: the file plus this process's unwritten charges. */
  private view(): LedgerFile {
    const disk = load(this.file);
    const landed = disk.writer === this.writerId && (disk.seq ?? 0) >= (this.inFlight?.seq ?? 0);
    const withInFlight = this.inFlight && !landed ? applyCharges(disk, sumCharges(this.inFlight.charges), 0) : disk;
    const view = applyCharges(withInFlight, sumCharges(this.unsaved), this.highWaterMs);
    this.highWaterMs = view.clockHighWaterMs; // another process may have seen a later time
    return view;
  }

  /** Raises the high-water mark to `clockMs` if later and returns the effective time (never earlier than seen before). */
  observe(clockMs: number): number {
    if (Number.isFinite(clockMs) && clockMs > this.highWaterMs) {
      this.highWaterMs = clockMs;
      if (clockMs - this.persistedHighWaterMs >= HIGH_WATER_PERSIST_STEP_MS) void this.save().catch(() => {});
    }
    return this.highWaterMs;
  }

  audioSecondsOn(licenseId: string, day: string): number {
    const u = this.view().usage[licenseId];
    return u && u.day === day ? u.audioSeconds : 0;
  }

  /**
   * Adds `seconds` to today's usage if that stays within `limitSeconds`, and persists before returning; otherwise
   * throws QUOTA_EXCEEDED and charges nothing. With `partial`, a charge that does not fit takes what is left instead
   * (it throws only when nothing is left). Returns the seconds charged. The check is made twice: at once against what
   * this process knows (so concurrent callers here cannot overshoot), and again under the file lock against the file,
   * so that two processes sharing the folder cannot both take the last of the quota (measured before: both were
   * accepted in 6 of 8 trials).
   */
  async charge(
    licenseId: string,
    seconds: number,
    limitSeconds: number,
    nowMs: number,
    partial = false,
  ): Promise<number> {
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new EarshotError('INVALID_PARAMETER', 'Audio duration must be a non-negative number of seconds');
    }
    const day = utcDay(nowMs);
    const used = this.audioSecondsOn(licenseId, day);
    const room = limitSeconds - used;
    if (partial ? room <= 0 : seconds > room) throw quotaExceeded(used, limitSeconds, nowMs);
    const charge: Charge = { licenseId, day, seconds: Math.min(seconds, room), limitSeconds, nowMs, partial };
    this.unsaved.push(charge);
    await this.save();
    if (charge.refused) throw charge.refused;
    return charge.seconds;
  }

  /** Writes pending charges into the file; writes are serialised and coalesced. Rejects if the write fails. */
  save(): Promise<void> {
    if (this.queued) return this.writing;
    this.queued = true;
    this.writing = this.writing
      .catch(() => {})
      .then(async () => {
        this.queued = false;
        const charges = this.unsaved;
        this.unsaved = [];
        const seq = ++this.seq;
        this.inFlight = { charges, seq };
        let merged: LedgerFile | undefined;
        try {
          await withFileLock(this.file, LEDGER_LOCK, async () => {
            const disk = load(this.file);
            for (const c of charges) {
              const u = disk.usage[c.licenseId];
              const used = u && u.day === c.day ? u.audioSeconds : 0;
              const room = c.limitSeconds - used;
              if (c.partial && room > 0) c.seconds = Math.min(c.seconds, room);
              if (c.seconds > room) c.refused = quotaExceeded(used, c.limitSeconds, c.nowMs);
              else if (!u || c.day >= u.day) disk.usage[c.licenseId] = { day: c.day, audioSeconds: used + c.seconds };
              // (a charge for a day the file has already left behind is history: nothing to add)
            }
            merged = { ...applyCharges(disk, new Map(), this.highWaterMs), writer: this.writerId, seq };
            await writeJsonAtomic(this.file, merged, 0o600);
          });
          this.inFlight = undefined;
        } catch (e) {
          this.inFlight = undefined;
          // Not written: the callers are told (their work does not go ahead), so their charges are dropped.
          throw e;
        }
        this.persistedHighWaterMs = Math.max(this.persistedHighWaterMs, merged?.clockHighWaterMs ?? 0);
        // A write that went through after one that failed (the disk had filled, then freed): nothing is pending.
        this.lastError = undefined;
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

/**
 * The ledger's lock (core/file-lock.ts): waits, briefly retrying, while another process holds it; a lock left by a
 * process that crashed on this machine is taken over at once instead of after the 10 s `stale` age.
 */
const LEDGER_LOCK = {
  stale: 10_000,
  retries: { retries: 200, factor: 1.3, minTimeout: 2, maxTimeout: 100, randomize: true },
};

export { breakDeadLock };

/**
 * Reads the ledger. A damaged file, or one a newer version wrote, is set aside with a notice and usage starts from
 * zero: deleting the file would do the same, so refusing to start over it protects nothing (data-notices.ts).
 */
function load(file: string): LedgerFile {
  const empty = (): LedgerFile => ({ version: 1, clockHighWaterMs: 0, usage: {} });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return empty();
    throw e;
  }
  let parsed: Partial<LedgerFile> | null = null;
  try {
    parsed = JSON.parse(text) as Partial<LedgerFile> | null;
  } catch {
    // damaged: handled below
  }
  if (parsed && typeof parsed === 'object' && typeof parsed.version === 'number' && parsed.version > 1) {
    recoverDataFile(file, 'License usage for today', 'newer-version', 'starts from zero');
    return empty();
  }
  if (
    !parsed ||
    typeof parsed !== 'object' ||
    parsed.version !== 1 ||
    typeof parsed.clockHighWaterMs !== 'number' ||
    !Number.isFinite(parsed.clockHighWaterMs) ||
    !isUsageMap(parsed.usage)
  ) {
    recoverDataFile(file, 'License usage for today', 'damaged', 'starts from zero');
    return empty();
  }
  return { ...parsed, version: 1, clockHighWaterMs: parsed.clockHighWaterMs, usage: parsed.usage };
}

function isUsageMap(value: unknown): value is Record<string, DayUsage> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.values(value).every(
    (u) =>
      u &&
      typeof u === 'object' &&
      typeof (u as DayUsage).day === 'string' &&
      typeof (u as DayUsage).audioSeconds === 'number' &&
      Number.isFinite((u as DayUsage).audioSeconds),
  );
}
