/**
 * The CLI transcribes under the same license rules as the app and the API: a valid key from LICENSE_KEY, its
 * rate, concurrency and daily audio quota.
 */
import { EarshotError } from '../core/errors.ts';
import { EnvSecretStore, LicenseService } from '../core/license/index.ts';

export interface CliLicense {
  /** Runs one transcription of `audioSeconds` under a lease: quota charged, concurrency slot held. */
  run<T>(audioSeconds: number, work: () => Promise<T>): Promise<T>;
}

export async function requireCliLicense(): Promise<CliLicense> {
  const key = await new EnvSecretStore().get();
  if (!key) {
    throw new EarshotError(
      'INVALID_LICENSE',
      'No license key: set LICENSE_KEY to your key (in a development build, `earshot license issue --dev` makes one)',
    );
  }
  const licenses = new LicenseService();
  licenses.verify(key);
  return {
    async run(audioSeconds, work) {
      const lease = await licenses.authorize(key, { clientAddress: 'cli' });
      try {
        await lease.recordAudio(audioSeconds);
        return await work();
      } finally {
        lease.release();
        await licenses.flush();
      }
    },
  };
}
