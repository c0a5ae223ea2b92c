/**
 * License failures as `EarshotError`s from the one shared table (../errors.ts). The API sends `toJSON()` unchanged,
 * which is exactly the seed's body; the precise internal `reason` (bad signature, unknown signer, revoked...) rides on
 * the error object for the UI and `earshot license inspect`, and is never part of `toJSON()`.
 */
import { type ApiError, EarshotError, type ErrorCode, toApiError } from '../errors.ts';

export class LicenseError extends EarshotError {
  /** Why, in words, for the UI and `inspect`. Not sent by the API (toJSON omits it); never contains the key. */
  readonly reason: string;
  /**
   * For failed authentication: how long the server should wait before answering this client (repeated failures from
   * one address are slowed down). 0 when no delay applies.
   */
  delayMs = 0;

  constructor(code: ErrorCode, reason: string, details: Record<string, unknown> = {}) {
    super(code, undefined, details);
    this.name = 'LicenseError';
    this.reason = reason;
  }

  /** The UI's error data (core/errors.ts `toApiError`), with the reason in its details. */
  toApiError(): ApiError {
    return { ...toApiError(this), details: { ...this.details, reason: this.reason } };
  }
}

export function invalidLicense(reason: string): LicenseError {
  return new LicenseError('INVALID_LICENSE', reason);
}

export function isoSeconds(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}
