/**
 * The vendor's side of licensing, for `earshot license` (issuing keys, signing revocation lists, inspecting a key):
 * the second public entry of this folder next to index.ts. Nothing that serves users imports it.
 */
export { isoSeconds } from './errors.ts';
export { type LicenseClaims, parseKey } from './format.ts';
export { loadEd25519Private } from './kid.ts';
export { signRevocationList } from './revocation.ts';
export { developmentSigningKey, generateSigningKey, issueLicense } from './sign.ts';
