/**
 * THE DEVELOPMENT SIGNING KEY — committed on purpose, NOT A SECRET, for development builds and tests only (README.md).
 * Release bundles replace this module with an empty one (tools/build.ts), and never trust its public half anyway.
 */
export const DEV_PRIVATE_KEY_PEM: string = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ0UbNuA5+8SZucxT1sq2/ojLpealBjW16YezeHzdLzP
-----END PRIVATE KEY-----
`;
