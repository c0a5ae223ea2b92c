/**
 * The development key's PUBLIC half. Trusted only when BUILD_FLAVOR is 'development' (see trust.ts and README.md).
 */
export const DEV_PUBLIC_KEY_PEM = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEA+w4Pq9dP3v0pE5eACL+h30vtw57ElNE9DtoE4RLk8TQ=
-----END PUBLIC KEY-----
`;
