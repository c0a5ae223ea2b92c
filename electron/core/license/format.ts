/**
 * The key format: `ESK1.<base64url claims JSON>.<base64url Ed25519 signature>` — one line, URL- and shell-safe.
 * The signature covers the ASCII bytes `ESK1.<claims segment>`, so the version prefix is bound too. Parsing is
 * strict (canonical base64url, bounded length, schema-checked claims) and never throws anything but LicenseError.
 */
import { type KeyObject, sign, verify } from 'node:crypto';
import { z } from 'zod';
import { EarshotError } from '../errors.ts';
import { invalidLicense } from './errors.ts';

export const KEY_PREFIX = 'ESK1';
/** Far above any real key (~500 chars); bounds the work done on hostile input. */
export const MAX_KEY_LENGTH = 4096;

export const DEFAULT_LIMITS = { requestsPerMinute: 60, concurrentRequests: 10, audioHoursPerDay: 100 } as const;

const positiveInt = z.number().int().positive().max(1_000_000_000);
const epochSeconds = z.number().int().min(0).max(253_402_300_799); // up to 9999-12-31

export const limitsSchema = z.object({
  requestsPerMinute: positiveInt,
  concurrentRequests: positiveInt,
  audioHoursPerDay: z
    .number()
    .positive()
    .max(24 * 1_000_000),
});

export const claimsSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  customer: z.string().min(1).max(200),
  iat: epochSeconds,
  nbf: epochSeconds,
  exp: epochSeconds,
  plan: z.string().min(1).max(64),
  limits: limitsSchema,
  features: z.array(z.string().min(1).max(64)).max(64),
  kid: z.string().regex(/^[0-9a-f]{16}$/),
});

export type LicenseLimits = z.infer<typeof limitsSchema>;
/** Times are Unix epoch seconds (UTC). */
export type LicenseClaims = z.infer<typeof claimsSchema>;

const B64URL = /^[A-Za-z0-9_-]+$/;

export function toBase64Url(bytes: Uint8Array | string): string {
  return Buffer.from(bytes).toString('base64url');
}

/** Decodes base64url, refusing non-canonical spellings (so one key has exactly one string form). */
export function fromBase64Url(text: string): Buffer | undefined {
  if (!B64URL.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/** Pasted keys often carry spaces or line breaks (mail clients wrap); those are never part of a key. */
export function normalizeKey(raw: string): string {
  return raw.replace(/\s+/g, '');
}

export function encodeKey(claims: LicenseClaims, privateKey: KeyObject): string {
  const checked = claimsSchema.safeParse(claims);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new EarshotError('INVALID_PARAMETER', `Claim '${issue?.path.join('.')}' is invalid: ${issue?.message}`);
  }
  const body = `${KEY_PREFIX}.${toBase64Url(JSON.stringify(checked.data))}`;
  const signature = sign(null, Buffer.from(body, 'ascii'), privateKey);
  return `${body}.${toBase64Url(signature)}`;
}

export interface ParsedKey {
  claims: LicenseClaims;
  /** The signed bytes and the signature; check with `signatureMatches`. */
  signed: Buffer;
  signature: Buffer;
}

/** Splits and decodes a key without checking the signature. Throws LicenseError(INVALID_LICENSE) when malformed. */
export function parseKey(raw: unknown): ParsedKey {
  if (typeof raw !== 'string' || raw.trim() === '') throw invalidLicense('no license key was given');
  if (raw.length > 4 * MAX_KEY_LENGTH) throw invalidLicense('malformed: the key is far too long');
  const key = normalizeKey(raw);
  if (key.length > MAX_KEY_LENGTH) throw invalidLicense('malformed: the key is far too long');
  const parts = key.split('.');
  if (parts.length !== 3) throw invalidLicense('malformed: a key has three parts separated by dots');
  const [prefix, claimsPart, signaturePart] = parts;
  if (prefix !== KEY_PREFIX) throw invalidLicense(`malformed: unknown key format (expected ${KEY_PREFIX})`);
  const claimsBytes = fromBase64Url(claimsPart);
  const signature = fromBase64Url(signaturePart);
  if (!claimsBytes || !signature) throw invalidLicense('malformed: not valid base64url');
  if (signature.length !== 64) throw invalidLicense('malformed: the signature has the wrong length');
  let json: unknown;
  try {
    json = JSON.parse(claimsBytes.toString('utf8'));
  } catch {
    throw invalidLicense('malformed: the claims are not JSON');
  }
  const result = claimsSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw invalidLicense(`malformed: claim '${issue?.path.join('.') || '?'}' is invalid`);
  }
  return { claims: result.data, signed: Buffer.from(`${prefix}.${claimsPart}`, 'ascii'), signature };
}

export function signatureMatches(parsed: ParsedKey, publicKey: KeyObject): boolean {
  try {
    return verify(null, parsed.signed, publicKey, parsed.signature);
  } catch {
    return false;
  }
}
