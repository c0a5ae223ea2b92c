/**
 * The CLI transcribes under the same license rules as the app and the API: a valid key from LICENSE_KEY, its
 * rate, concurrency and daily audio quota.
 */
import { EarshotError } from '../core/errors.ts';
import { type AudioMeter, EnvSecretStore } from '../core/license/index.ts';
import { cliEngine } from './engine.ts';

export interface CliLicense {
  /**
   * Runs one transcription under a lease (concurrency slot held) whose audio is charged as it is transcribed through
   * `meter` (core/license/quota.ts). Refused with QUOTA_EXCEEDED when none of today's quota remains.
   */
  run<T>(work: (meter: AudioMeter) => Promise<T>): Promise<T>;
}

export async function requireCliLicense(): Promise<CliLicense> {
  const key = await new EnvSecretStore().get();
  if (!key) {
    throw new EarshotError(
      'INVALID_LICENSE',
      'No license key: set LICENSE_KEY to your key (in a development build, `earshot license issue --dev` makes one)',
    );
  }
  const licenses = cliEngine().licenses;
  licenses.verify(key);
  return {
    async run(work) {
      const lease = await licenses.authorize(key, { clientAddress: 'cli' });
      try {
        return await work(lease.meter());
      } finally {
        lease.release();
        await licenses.flush();
      }
    },
  };
}
