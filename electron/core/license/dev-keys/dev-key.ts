/**
 * THE DEVELOPMENT SIGNING KEY — public on purpose, for development builds and tests only (see README.md here).
 * Release builds never trust it: trust.ts only reaches this module when BUILD_FLAVOR is 'development', and the
 * release bundle drops that branch at compile time.
 */
export const DEV_PRIVATE_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ0UbNuA5+8SZucxT1sq2/ojLpealBjW16YezeHzdLzP
-----END PRIVATE KEY-----
`;

export const DEV_PUBLIC_KEY_PEM = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEA+w4Pq9dP3v0pE5eACL+h30vtw57ElNE9DtoE4RLk8TQ=
-----END PUBLIC KEY-----
`;
