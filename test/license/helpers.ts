/** Shared set-up for the license tests: throwaway folders, a settable clock, and keys signed by known key pairs. */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { kidOf } from '../../electron/core/license/kid.ts';
import { developmentSigningKey, type IssueOptions, issueLicense } from '../../electron/core/license/sign.ts';
import type { TrustedKey } from '../../electron/core/license/trust.ts';

export const T0 = Date.UTC(2027, 0, 15, 12, 0, 0); // a fixed "now": 2027-01-15T12:00:00Z
export const DAY_MS = 86_400_000;

export function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-license-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A clock tests move by hand. */
export function manualClock(start = T0) {
  let ms = start;
  return {
    now: () => ms,
    set: (value: number) => {
      ms = value;
    },
    advance: (delta: number) => {
      ms += delta;
    },
  };
}

export function throwawayKey(label = 'test key'): { privateKey: KeyObject; trusted: TrustedKey } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { privateKey, trusted: { kid: kidOf(publicKey), label, key: publicKey } };
}

export const devKey = await developmentSigningKey();

/** A dev-signed key valid from T0 - 1 day to T0 + 30 days unless overridden. */
export function devLicense(overrides: Partial<IssueOptions> = {}) {
  return issueLicense({
    privateKey: devKey,
    customer: 'Test Customer',
    issuedAt: new Date(T0 - DAY_MS),
    expiresAt: new Date(T0 + 30 * DAY_MS),
    ...overrides,
  });
}
