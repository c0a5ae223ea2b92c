/** What the UI shows of a license key (LicenseService.status); the contract re-exports it. */
import type { ApiError } from '../errors.ts';

export interface LicenseStatus {
  state: 'none' | 'valid' | 'invalid' | 'expired' | 'not_yet_valid' | 'quota_exceeded';
  /** The exact reason, from the shared error table, when not valid. */
  error?: ApiError;
  maskedKey?: string;
  customer?: string;
  plan?: string;
  expiresAt?: string;
  usage?: { audioHoursToday: number; audioHoursPerDay: number; resetsAt: string };
  /** True when the OS offers no real secret store (Linux `basic_text`): the key is only obfuscated. */
  weakStorage?: boolean;
}
