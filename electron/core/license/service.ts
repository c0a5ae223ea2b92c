/**
 * LicenseService: verification, limits and status for one data folder. See index.ts for the contract other code
 * relies on.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { LicenseStatus } from './status.ts';
import { EarshotError } from '../errors.ts';
import { writeFileAtomic } from '../fs-atomic.ts';
import { dataHome, dataPaths } from '../paths.ts';
import {
  DEFAULT_FAILED_AUTH_POLICY,
  type FailedAuthPolicy,
  FailedAuthTracker,
  type FailedAuthSnapshot,
} from './auth-failures.ts';
import { invalidLicense, isoSeconds, LicenseError } from './errors.ts';
import { type LicenseClaims, parseKey, signatureMatches } from './format.ts';
import { nextUtcMidnight, quotaExceeded, UsageLedger, utcDay } from './ledger.ts';
import { ConcurrencyLimiter, RequestRateLimiter } from './limiters.ts';
import { AudioMeter } from './quota.ts';
import { redactKey } from './redact.ts';
import { type RevocationList, verifyRevocationList } from './revocation.ts';
import { recoverDataFile } from '../data-notices.ts';
import { resolveTrustSet, type TrustedKey, type TrustSet } from './trust.ts';

export interface LicenseServiceOptions {
  /** The data home (as from paths.ts dataHome()); usage lives in dataPaths(dataDir).usage. Default: dataHome(). */
  dataDir?: string;
  /** Development/test builds only (a release build throws): extra trusted public keys. */
  trustedKeys?: readonly TrustedKey[];
  /** With trustedKeys: trust only those, not the built-in set (tests of "unknown signer"). */
  replaceTrust?: boolean;
  /** A verified revocation list; default: the one imported into <dataDir>/license/revoked.json, if any. */
  revocationList?: RevocationList;
  /** The clock in epoch milliseconds (tests). Default Date.now. */
  now?: () => number;
  failedAuthPolicy?: FailedAuthPolicy;
}

export interface AuthorizeOptions {
  /** The client's address (for failed-attempt counting and slow-down). */
  clientAddress: string;
  /** When known up front: the request's audio duration, checked against (not yet charged to) today's quota. */
  audioSeconds?: number;
}

export interface LicenseLease {
  readonly claims: LicenseClaims;
  /**
   * Charges `seconds` of audio to today's quota and persists it before resolving. Call it once the duration is
   * known, before transcribing. Rejects with QUOTA_EXCEEDED (charging nothing) if it would pass the day's quota.
   */
  recordAudio(seconds: number): Promise<void>;
  /** A meter charging this license as audio is transcribed (quota.ts), for work whose answer may be partial. */
  meter(): AudioMeter;
  /** Frees the concurrency slot; idempotent. Call in `finally`. */
  release(): void;
}

export interface LicenseUsage {
  licenseId: string;
  /** UTC day the figures are for (YYYY-MM-DD). */
  day: string;
  audioSeconds: number;
  audioHoursToday: number;
  resetsAt: string;
  requestsLastMinute: number;
  activeRequests: number;
}

/**
 * How often a running service looks at the revocation file for a newly imported list (one stat; the file is read and
 * verified only when it changed). So a revocation takes effect within this long in a running server or app.
 */
export const REVOCATION_RECHECK_MS = 1000;

/** How long ago the high-water mark may be before the clock counts as "set back" in explanations. */
const CLOCK_BACK_NOTICE_MS = 10 * 60_000;

export class LicenseService {
  readonly dataDir: string;
  private readonly trust: TrustSet;
  private revocations: RevocationList | undefined;
  /** Whether the list comes from the data folder (and is re-read when another process imports a newer one). */
  private readonly followRevocationFile: boolean;
  private revocationStamp = '';
  private revocationCheckedAt = Number.NEGATIVE_INFINITY;
  private readonly clock: () => number;
  private readonly ledger: UsageLedger;
  private readonly rate = new RequestRateLimiter();
  private readonly concurrency = new ConcurrencyLimiter();
  private readonly failures: FailedAuthTracker;

  constructor(options: LicenseServiceOptions = {}) {
    this.dataDir = options.dataDir ?? dataHome();
    this.trust = resolveTrustSet(options.trustedKeys, options.replaceTrust);
    this.clock = options.now ?? Date.now;
    this.ledger = new UsageLedger(dataPaths(this.dataDir).usage);
    this.failures = new FailedAuthTracker(options.failedAuthPolicy ?? DEFAULT_FAILED_AUTH_POLICY);
    this.followRevocationFile = options.revocationList === undefined;
    this.revocations = options.revocationList ?? this.loadStoredRevocations();
  }

  /** The effective time: the clock, but never earlier than any time this installation has already seen. */
  nowMs(): number {
    return this.ledger.observe(this.clock());
  }

  /** Checks a key completely (format, signature, signer, revocation, validity window). Throws LicenseError. */
  verify(key: unknown): LicenseClaims {
    const parsed = parseKey(key);
    const signer = this.trust.get(parsed.claims.kid);
    if (!signer) throw invalidLicense(`signed by an unknown key (${parsed.claims.kid})`);
    if (!signatureMatches(parsed, signer.key)) throw invalidLicense('the signature does not match (key altered)');
    const claims = parsed.claims;
    this.refreshRevocations();
    if (this.revocations?.ids.has(claims.id)) throw invalidLicense(`license ${claims.id} has been revoked`);
    const clockMs = this.clock();
    const nowMs = this.ledger.observe(clockMs);
    const nowS = nowMs / 1000;
    if (nowS >= claims.exp) {
      const behind = nowMs - clockMs > CLOCK_BACK_NOTICE_MS ? ' (the system clock is behind a time already seen)' : '';
      throw new LicenseError('LICENSE_EXPIRED', `expired on ${isoSeconds(claims.exp)}${behind}`, {
        expires_at: isoSeconds(claims.exp),
      });
    }
    if (nowS < claims.nbf) {
      throw new LicenseError('LICENSE_NOT_YET_VALID', `valid from ${isoSeconds(claims.nbf)}`, {
        starts_at: isoSeconds(claims.nbf),
      });
    }
    return claims;
  }

  /**
   * Admits one request: verify, then the day's audio quota, the concurrency limit and the per-minute rate. On an
   * INVALID_LICENSE failure the error's `delayMs` says how long to stall this client before answering.
   */
  async authorize(key: unknown, options: AuthorizeOptions): Promise<LicenseLease> {
    let claims: LicenseClaims;
    try {
      claims = this.verify(key);
    } catch (e) {
      if (e instanceof LicenseError && e.code === 'INVALID_LICENSE') {
        e.delayMs = this.failures.recordFailure(options.clientAddress, this.clock());
      }
      throw e;
    }
    // A success does not clear the address's failures: else one valid key would let its holder (or anyone behind
    // the same address) interleave successes and guess other keys at full speed. Only a quiet spell clears them.
    const nowMs = this.nowMs();
    const limitSeconds = claims.limits.audioHoursPerDay * 3600;
    const used = this.ledger.audioSecondsOn(claims.id, utcDay(nowMs));
    if (used >= limitSeconds || used + (options.audioSeconds ?? 0) > limitSeconds) {
      throw quotaExceeded(used, limitSeconds, nowMs);
    }
    if (this.concurrency.count(claims.id) >= claims.limits.concurrentRequests) {
      throw new LicenseError('RATE_LIMIT_EXCEEDED', `${claims.limits.concurrentRequests} requests already running`, {
        retry_after: 1,
      });
    }
    const retryAfter = this.rate.take(claims.id, claims.limits.requestsPerMinute, nowMs);
    if (retryAfter > 0) {
      throw new LicenseError('RATE_LIMIT_EXCEEDED', `${claims.limits.requestsPerMinute} requests per minute`, {
        retry_after: retryAfter,
      });
    }
    const slot = this.concurrency.tryAcquire(claims.id, claims.limits.concurrentRequests);
    if (!slot) throw new EarshotError('INTERNAL_ERROR', 'concurrency slot vanished'); // unreachable: checked above
    return {
      claims,
      recordAudio: async (seconds: number) => {
        await this.ledger.charge(claims.id, seconds, limitSeconds, this.nowMs());
      },
      meter: () => this.meterFor(claims),
      release: () => slot.release(),
    };
  }

  /**
   * A meter for one job's audio under `key`, charged as it is transcribed (quota.ts). Verifies the key now and
   * refuses with QUOTA_EXCEEDED when none of today's quota remains. Takes no concurrency slot: for a caller that
   * admits its own work (the desktop's one-job-at-a-time queue).
   */
  meter(key: unknown): AudioMeter {
    return this.meterFor(this.verify(key));
  }

  private meterFor(claims: LicenseClaims): AudioMeter {
    const limitSeconds = claims.limits.audioHoursPerDay * 3600;
    const nowMs = this.nowMs();
    const used = this.ledger.audioSecondsOn(claims.id, utcDay(nowMs));
    if (used >= limitSeconds) throw quotaExceeded(used, limitSeconds, nowMs);
    return new AudioMeter(async (seconds) => {
      const at = this.nowMs();
      const charged = await this.ledger.charge(claims.id, seconds, limitSeconds, at, true);
      return charged < seconds ? { charged, refusal: quotaExceeded(limitSeconds, limitSeconds, at) } : { charged };
    });
  }

  /** The UI's view of a key (never throws for a bad key; `error.details.reason` holds the precise reason). */
  status(key: string | undefined): LicenseStatus {
    if (key === undefined || key.trim() === '') return { state: 'none' };
    const maskedKey = redactKey(key);
    let claims: LicenseClaims;
    try {
      claims = this.verify(key);
    } catch (e) {
      if (!(e instanceof LicenseError)) throw e;
      const state =
        e.code === 'LICENSE_EXPIRED' ? 'expired' : e.code === 'LICENSE_NOT_YET_VALID' ? 'not_yet_valid' : 'invalid';
      const signed = state === 'invalid' ? undefined : parseKey(key).claims;
      return {
        state,
        error: e.toApiError(),
        maskedKey,
        customer: signed?.customer,
        plan: signed?.plan,
        expiresAt: signed ? isoSeconds(signed.exp) : undefined,
      };
    }
    const usage = this.usage(claims.id);
    const status: LicenseStatus = {
      state: 'valid',
      maskedKey,
      customer: claims.customer,
      plan: claims.plan,
      expiresAt: isoSeconds(claims.exp),
      usage: {
        audioHoursToday: usage.audioHoursToday,
        audioHoursPerDay: claims.limits.audioHoursPerDay,
        resetsAt: usage.resetsAt,
      },
    };
    if (usage.audioSeconds >= claims.limits.audioHoursPerDay * 3600) {
      const e = quotaExceeded(usage.audioSeconds, claims.limits.audioHoursPerDay * 3600, this.nowMs());
      status.state = 'quota_exceeded';
      status.error = e.toApiError();
    }
    return status;
  }

  usage(licenseId: string): LicenseUsage {
    const nowMs = this.nowMs();
    const day = utcDay(nowMs);
    const audioSeconds = this.ledger.audioSecondsOn(licenseId, day);
    return {
      licenseId,
      day,
      audioSeconds,
      audioHoursToday: audioSeconds / 3600,
      resetsAt: isoSeconds(nextUtcMidnight(nowMs) / 1000),
      requestsLastMinute: this.rate.count(licenseId, nowMs),
      activeRequests: this.concurrency.count(licenseId),
    };
  }

  /** The trusted signer with this key id, if any (for `inspect`). */
  trustedSigner(kid: string): { kid: string; label: string } | undefined {
    const k = this.trust.get(kid);
    return k && { kid: k.kid, label: k.label };
  }

  /**
   * Counts a failed authentication that the caller decided on itself (e.g. a key that is not one of the server's
   * configured keys) and returns the delay in ms to apply before answering, as `authorize` does for bad keys.
   */
  recordAuthFailure(clientAddress: string): number {
    return this.failures.recordFailure(clientAddress, this.clock());
  }

  /** Failed authentications so far (all addresses, or one). */
  failedAuthCount(address?: string): number {
    return this.failures.failedAuthCount(address);
  }

  failedAuthSnapshot(limit?: number): FailedAuthSnapshot {
    return this.failures.snapshot(limit);
  }

  /**
   * Verifies a signed revocation list (text of a `earshot license revoke` file) against this build's trust set and
   * stores it in the data folder for every later service. An older list than the current one is refused (no rollback).
   */
  async importRevocationList(text: string): Promise<RevocationList> {
    const list = this.checkRevocationList(text);
    if (this.revocations && list.issuedAt < this.revocations.issuedAt) {
      throw new EarshotError('INVALID_PARAMETER', 'Revocation list rejected: older than the one already imported');
    }
    await writeFileAtomic(this.revocationFile(), text, 0o644);
    this.revocations = list;
    this.revocationStamp = this.revocationFileStamp();
    return list;
  }

  /** Verifies a signed revocation list against this build's trust set without installing it. */
  checkRevocationList(text: string): RevocationList {
    return verifyRevocationList(text, this.trust);
  }

  revocationList(): RevocationList | undefined {
    return this.revocations;
  }

  /** Waits for pending usage writes (call before exiting; tests use it before reopening a folder). */
  flush(): Promise<void> {
    return this.ledger.flush();
  }

  private revocationFile(): string {
    return path.join(dataPaths(this.dataDir).license, 'revoked.json');
  }

  /** The file's identity (size and change time), or '' when there is none. */
  private revocationFileStamp(): string {
    const st = statSync(this.revocationFile(), { throwIfNoEntry: false });
    return st ? `${st.size}:${st.mtimeMs}:${st.ino}` : '';
  }

  private loadStoredRevocations(): RevocationList | undefined {
    this.revocationStamp = this.revocationFileStamp();
    this.revocationCheckedAt = performance.now();
    if (!this.revocationStamp) return undefined;
    try {
      return verifyRevocationList(readFileSync(this.revocationFile(), 'utf8'), this.trust);
    } catch {
      // Unreadable or not verifiable: deleting it would start the app just the same, so it is set aside and reported.
      recoverDataFile(
        this.revocationFile(),
        'The imported revocation list',
        'damaged',
        'is no longer in force; import it again',
      );
      this.revocationStamp = '';
      return undefined;
    }
  }

  /**
   * Picks up a list imported by another process (`earshot license import-revocations` next to a running server),
   * at most once per REVOCATION_RECHECK_MS. A file that does not verify, or is older than the list in force, changes
   * nothing: revocations are never undone by swapping the file.
   */
  private refreshRevocations(): void {
    if (!this.followRevocationFile) return;
    const now = performance.now();
    if (now - this.revocationCheckedAt < REVOCATION_RECHECK_MS) return;
    this.revocationCheckedAt = now;
    const stamp = this.revocationFileStamp();
    if (stamp === this.revocationStamp || !stamp) return;
    this.revocationStamp = stamp;
    try {
      const list = verifyRevocationList(readFileSync(this.revocationFile(), 'utf8'), this.trust);
      if (!this.revocations || list.issuedAt >= this.revocations.issuedAt) this.revocations = list;
    } catch {
      // keep the list in force
    }
  }
}
