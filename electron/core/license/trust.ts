/**
 * Which public keys this build trusts, by key id. Release: the vendor keys only. Development/test: the vendor keys
 * plus the committed development key, and callers (tests) may supply their own. Nothing here reads the environment.
 */
import type { KeyObject } from 'node:crypto';
import { DEV_PUBLIC_KEY_PEM } from './dev-keys/dev-key.ts';
import { BUILD_FLAVOR, type BuildFlavor } from './flavor.ts';
import { kidOf, loadEd25519Public } from './kid.ts';
import { VENDOR_PUBLIC_KEYS } from './vendor-keys.ts';

export interface TrustedKey {
  kid: string;
  label: string;
  key: KeyObject;
}

export type TrustSet = ReadonlyMap<string, TrustedKey>;

export function trustedKeyFromPem(pem: string, label: string): TrustedKey {
  const key = loadEd25519Public(pem);
  return { kid: kidOf(key), label, key };
}

/** The development key's entry (its kid is what dev-signed keys carry). */
export function developmentKey(): TrustedKey {
  return trustedKeyFromPem(DEV_PUBLIC_KEY_PEM, 'development key (development and test builds only)');
}

/**
 * The trust set for a flavour. `flavor` defaults to the compile-time BUILD_FLAVOR; passing it explicitly exists so
 * tests can show what a release build trusts without building one (they also build one, see test/license).
 */
export function defaultTrustSet(flavor: BuildFlavor = BUILD_FLAVOR): TrustSet {
  const keys = VENDOR_PUBLIC_KEYS.map((k) => trustedKeyFromPem(k.pem, k.label));
  if (flavor === 'development') keys.push(developmentKey());
  return new Map(keys.map((k) => [k.kid, k]));
}

/**
 * The trust set a service uses. Extra keys are accepted only in development builds (tests use throwaway keys); a
 * release build refuses them outright, so no configuration path can widen its trust.
 */
export function resolveTrustSet(extra: readonly TrustedKey[] | undefined, replace = false): TrustSet {
  if (extra === undefined) return defaultTrustSet();
  if (BUILD_FLAVOR === 'release') throw new Error('release builds trust only the vendor keys');
  const base = replace ? new Map<string, TrustedKey>() : new Map(defaultTrustSet());
  for (const k of extra) base.set(k.kid, k);
  return base;
}
