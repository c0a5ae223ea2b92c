/**
 * The vendor's public signing keys: the only keys a release build trusts. Several may be listed at once so the vendor
 * can rotate (issue with the new key while keys signed by the old one stay valid until they expire). Add a key by
 * pasting the public PEM printed by `earshot license keygen`; the key id is derived from the key itself (kid.ts).
 * The private halves never enter this repository.
 */
export const VENDOR_PUBLIC_KEYS: readonly { label: string; pem: string }[] = [
  {
    label: 'vendor 2026-1',
    pem: `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEA/OxzOW28/hLjxweR40NNm5MZgaBamQVjgxIN1whoBTE=
-----END PUBLIC KEY-----
`,
  },
];
