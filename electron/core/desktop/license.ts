/**
 * The desktop's view of licensing: one stored key (Electron safeStorage through SecretStore), its status for
 * Settings, and a gate in front of every transcription. A pasted key that fails verification is not stored, so a typo
 * never replaces a working key; an expired key is stored (the user sees exactly why work is refused).
 */
import type { LicenseStatus } from '../../contract/api.ts';
import { EarshotError, fromApiError } from '../errors.ts';
import type { LicenseService, SecretStore } from '../license/index.ts';
import type { DesktopLicense } from './handlers.ts';

/** `onKeyChange` runs once a key is stored or removed, before `set`/`remove` answer (the built-in API server). */
export function createDesktopLicense(
  licenses: LicenseService,
  secrets: SecretStore,
  onKeyChange: () => Promise<void> = async () => {},
): DesktopLicense {
  const weak = () => secrets.describe().weak;
  const status = async (): Promise<LicenseStatus> => {
    const key = await secrets.get();
    return { ...licenses.status(key), weakStorage: weak() };
  };
  /** Throws the license's error (no key, invalid, expired, quota used up) when work is refused. */
  const authorize = async (): Promise<void> => {
    const key = await secrets.get();
    if (!key) {
      throw new EarshotError('INVALID_LICENSE', 'Invalid license key', {
        reason: 'no license key yet: paste one in Settings → License',
      });
    }
    const st = licenses.status(key);
    if (st.state !== 'valid' && st.error) throw fromApiError(st.error);
  };
  return {
    status,
    async set(raw) {
      const key = raw.trim();
      const st = licenses.status(key);
      if (st.state === 'invalid' || st.state === 'none') {
        return {
          ...st,
          state: 'invalid',
          error: st.error ?? {
            code: 'INVALID_LICENSE',
            message: 'Invalid license key',
            details: { reason: 'the key is empty' },
          },
          weakStorage: weak(),
        };
      }
      await secrets.set(key);
      await onKeyChange();
      return status();
    },
    async remove() {
      await secrets.remove();
      await onKeyChange();
      return status();
    },
    authorize,
    async recordAudio(seconds) {
      // Audio already heard (a live recording): charged as it comes, under the same policy as jobs — what is left is
      // taken, and QUOTA_EXCEEDED once the day's quota is used up (the recording then stops).
      const key = await secrets.get();
      if (!key) return;
      const meter = licenses.meter(key);
      if (!(await meter.advanceTo(seconds)) && meter.exceeded) throw meter.exceeded;
    },
    async startJob() {
      await authorize();
      // authorize() found a key; the job's audio is charged to it as it is transcribed (core/license/quota.ts).
      return licenses.meter(await secrets.get());
    },
  };
}
