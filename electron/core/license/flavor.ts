/**
 * The build flavour, fixed at compile time. `tools/build.ts --release` replaces `__EARSHOT_BUILD_FLAVOR__` with the
 * literal "release" through esbuild `define`, so the value is baked into the bundle: no environment variable, flag or
 * file is consulted. Source runs (tsx, tests) and ordinary builds leave the identifier undefined → 'development'.
 */
export type BuildFlavor = 'development' | 'release';

declare const __EARSHOT_BUILD_FLAVOR__: string | undefined;

export const BUILD_FLAVOR: BuildFlavor =
  typeof __EARSHOT_BUILD_FLAVOR__ === 'string' && __EARSHOT_BUILD_FLAVOR__ === 'release' ? 'release' : 'development';

/** True only in development/test builds; written out so esbuild can drop dev-only branches in release bundles. */
export const IS_DEVELOPMENT_BUILD: boolean = BUILD_FLAVOR === 'development';
