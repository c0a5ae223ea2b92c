/**
 * License keys — the public surface used by the API server, the desktop app and the CLI. Import only from here.
 *
 * Keys: `ESK1.<base64url claims JSON>.<base64url Ed25519 signature>` (format.ts). Claims: id, customer, iat, nbf,
 * exp (epoch seconds), plan, limits {requestsPerMinute, concurrentRequests, audioHoursPerDay}, features, kid.
 * Trust: release builds trust only vendor-keys.ts; development/test builds also the committed dev key (flavor.ts).
 *
 *   const licenses = new LicenseService({ dataDir });          // one per process and data folder
 *   licenses.verify(key)                 → LicenseClaims, or throws LicenseError
 *   await licenses.authorize(key, { clientAddress, audioSeconds? })
 *                                        → LicenseLease { claims, recordAudio(seconds), release() }
 *   licenses.status(key)                 → LicenseStatus (contract/api.ts) for the UI; never throws for a bad key
 *                                          (state 'quota_exceeded' once today's audio hours are used up)
 *   licenses.meter(key)                  → AudioMeter: charges audio as it is transcribed (quota.ts: the one policy)
 *   licenses.usage(licenseId)            → today's audio seconds, requests in the last minute, active requests
 *   licenses.failedAuthCount(addr?) / failedAuthSnapshot()  → monitoring
 *   licenses.recordAuthFailure(addr)     → count a failure decided elsewhere; returns the delay (ms) to apply
 *   await licenses.importRevocationList(text)              → verifies and stores a signed list
 *   licenses.checkRevocationList(text) / trustedSigner(kid) → verify only / who signed (for the CLI)
 *   await licenses.flush()               → pending usage writes done (before exit)
 *
 * Errors (one table, ../errors.ts): every failure is a `LicenseError` (an `EarshotError`):
 *   missing / malformed / bad signature / unknown signer / revoked → INVALID_LICENSE 401
 *   expired → LICENSE_EXPIRED 403 {expires_at}; not yet valid → LICENSE_NOT_YET_VALID 403 {starts_at}
 *   audio quota used → QUOTA_EXCEEDED 403 {resets_at, audio_hours_per_day, audio_hours_used}
 *   per-minute rate or concurrency → RATE_LIMIT_EXCEEDED 429 {retry_after (seconds)}
 * The API sends `err.status` and `err.toJSON()` unchanged — exactly the seed's bodies, e.g.
 * `{"error":"Invalid license key","code":"INVALID_LICENSE"}`. The precise cause is `err.reason` (a property the
 * body never includes) for the UI and `earshot license inspect`; `status()` puts it in `error.details.reason`.
 * On INVALID_LICENSE from `authorize`, `err.delayMs` is how long the server should wait before answering that
 * client (repeated failures from one address are slowed down; 0 for the first few).
 *
 * Lease protocol for a request: `const lease = await licenses.authorize(...)`; once the audio duration is known,
 * `await lease.recordAudio(seconds)` (charges today's quota, persisted; may throw QUOTA_EXCEEDED); `finally
 * lease.release()`.
 *
 * Secrets: `SecretStore` (EnvSecretStore: LICENSE_KEY, comma-separated list allowed — `getAll()`; FileSecretStore:
 * 0600 file; Electron safeStorage in electron/main/secret-store.ts). Log keys only as `redactKey(key)`. Compare a
 * presented key with configured ones via `matchesAnyKey` / `constantTimeEqual`.
 */
export type { FailedAuthEntry, FailedAuthSnapshot } from './auth-failures.ts';
export { LicenseError } from './errors.ts';
export { AudioMeter, type ChargeOutcome } from './quota.ts';
export { BUILD_FLAVOR, type BuildFlavor } from './flavor.ts';
export { DEFAULT_LIMITS, type LicenseClaims, type LicenseLimits } from './format.ts';
export { constantTimeEqual, matchesAnyKey, redactKey } from './redact.ts';
export type { RevocationList } from './revocation.ts';
export { EnvSecretStore, FileSecretStore, type SecretStore, splitKeyList } from './secret-store.ts';
export {
  type AuthorizeOptions,
  type LicenseLease,
  LicenseService,
  type LicenseServiceOptions,
  type LicenseUsage,
} from './service.ts';
export type { TrustedKey } from './trust.ts';
