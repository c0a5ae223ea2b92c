/**
 * Vendor-side operations: make signing key pairs and issue license keys. Used by `earshot license keygen/issue`
 * and by tests. Issuing with the development key works only in development builds.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { EarshotError } from '../errors.ts';
import { BUILD_FLAVOR } from './flavor.ts';
import { DEFAULT_LIMITS, encodeKey, type LicenseClaims, type LicenseLimits } from './format.ts';
import { kidOf, loadEd25519Private } from './kid.ts';

export interface GeneratedKeyPair {
  kid: string;
  privatePem: string;
  publicPem: string;
}

export function generateSigningKey(): GeneratedKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    kid: kidOf(publicKey),
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** The committed development private key; throws in release builds (whose bundles do not contain it). */
export async function developmentSigningKey(): Promise<KeyObject> {
  if (BUILD_FLAVOR !== 'development') {
    throw new EarshotError('INVALID_PARAMETER', 'The development signing key exists only in development builds');
  }
  const { DEV_PRIVATE_KEY_PEM } = await import('./dev-keys/dev-private-key.ts');
  if (!DEV_PRIVATE_KEY_PEM) throw new EarshotError('INVALID_PARAMETER', 'This build has no development signing key');
  return loadEd25519Private(DEV_PRIVATE_KEY_PEM);
}

export interface IssueOptions {
  privateKey: KeyObject;
  customer: string;
  expiresAt: Date;
  notBefore?: Date;
  issuedAt?: Date;
  plan?: string;
  limits?: Partial<LicenseLimits>;
  features?: string[];
  id?: string;
}

/** A fresh license id: `lic_` and 16 lowercase base32 characters (80 random bits). */
export function newLicenseId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return `lic_${[...randomBytes(16)].map((b) => alphabet[b & 31]).join('')}`;
}

export function issueLicense(options: IssueOptions): { key: string; claims: LicenseClaims } {
  const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
  const issuedAt = options.issuedAt ?? new Date();
  const claims: LicenseClaims = {
    id: options.id ?? newLicenseId(),
    customer: options.customer,
    iat: seconds(issuedAt),
    nbf: seconds(options.notBefore ?? issuedAt),
    exp: seconds(options.expiresAt),
    plan: options.plan ?? 'standard',
    limits: { ...DEFAULT_LIMITS, ...definedOnly(options.limits ?? {}) },
    features: options.features ?? [],
    kid: kidOf(createPublicKey(options.privateKey)),
  };
  if (claims.exp <= claims.nbf) throw new EarshotError('INVALID_PARAMETER', 'The key would expire before it starts');
  return { key: encodeKey(claims, options.privateKey), claims };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
