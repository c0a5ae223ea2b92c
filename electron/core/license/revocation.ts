/**
 * Signed revocation lists. The file is `{"payload": <base64url JSON>, "signature": <base64url Ed25519>}`; the
 * payload names the signer (`kid`), when it was made and the revoked license ids. The signature covers the payload
 * bytes exactly, so no JSON canonicalisation is involved. A list signed by a key outside the trust set is rejected.
 */
import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { z } from 'zod';
import { EarshotError } from '../errors.ts';
import { fromBase64Url, toBase64Url } from './format.ts';
import { kidOf } from './kid.ts';
import type { TrustSet } from './trust.ts';

export const REVOCATION_FORMAT = 'earshot-revocations/1';

const payloadSchema = z.object({
  format: z.literal(REVOCATION_FORMAT),
  kid: z.string(),
  issuedAt: z.string().datetime(),
  ids: z.array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)).max(1_000_000),
});

const fileSchema = z.object({ payload: z.string(), signature: z.string() });

export interface RevocationList {
  issuedAt: string;
  kid: string;
  ids: ReadonlySet<string>;
}

export function signRevocationList(ids: readonly string[], privateKey: KeyObject, issuedAt = new Date()): string {
  const publicKey = createPublicKey(privateKey);
  const payload = JSON.stringify({
    format: REVOCATION_FORMAT,
    kid: kidOf(publicKey),
    issuedAt: issuedAt.toISOString(),
    ids: [...new Set(ids)].sort(),
  });
  const signature = sign(null, Buffer.from(payload, 'utf8'), privateKey);
  return `${JSON.stringify({ payload: toBase64Url(payload), signature: toBase64Url(signature) }, null, 2)}\n`;
}

function rejected(reason: string): EarshotError {
  return new EarshotError('INVALID_PARAMETER', `Revocation list rejected: ${reason}`);
}

/** Parses and verifies a revocation list file's text against the trust set. Throws INVALID_PARAMETER when rejected. */
export function verifyRevocationList(text: string, trust: TrustSet): RevocationList {
  let file: z.infer<typeof fileSchema>;
  try {
    file = fileSchema.parse(JSON.parse(text));
  } catch {
    throw rejected('not a revocation list file');
  }
  const payloadBytes = fromBase64Url(file.payload);
  const signature = fromBase64Url(file.signature);
  if (!payloadBytes || !signature || signature.length !== 64) throw rejected('malformed');
  let payload: z.infer<typeof payloadSchema>;
  try {
    payload = payloadSchema.parse(JSON.parse(payloadBytes.toString('utf8')));
  } catch {
    throw rejected('malformed payload');
  }
  const signer = trust.get(payload.kid);
  if (!signer) throw rejected(`signed by an unknown key (${payload.kid})`);
  let ok = false;
  try {
    ok = verify(null, payloadBytes, signer.key, signature);
  } catch {
    ok = false;
  }
  if (!ok) throw rejected('bad signature');
  return { issuedAt: payload.issuedAt, kid: payload.kid, ids: new Set(payload.ids) };
}
