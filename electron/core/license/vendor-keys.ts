/**
 * The vendor's public signing keys: the only keys a release build trusts. Several may be listed at once so the vendor
 * can rotate (issue with the new key while keys signed by the old one stay valid until they expire). Add a key by
 * pasting the public PEM printed by `earshot license keygen`; the key id is derived from the key itself (kid.ts).
 * The private halves never enter this repository.
 *
 * PLACEHOLDER: the key below was generated while building this feature and its private half was discarded, so no
 * license a release build accepts exists yet. Before the first release the vendor runs `earshot license keygen`,
 * keeps the private key offline, and replaces this entry with the printed public key.
 */
export const VENDOR_PUBLIC_KEYS: readonly { label: string; pem: string }[] = [
  {
    label: 'vendor placeholder (replace before release)',
    pem: `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEA/OxzOW28/hLjxweR40NNm5MZgaBamQVjgxIN1whoBTE=
-----END PUBLIC KEY-----
`,
  },
];
