/**
 * Bundles the Node/Electron entry points with esbuild (the renderer is built by Vite):
 * dist/main/main.js (ESM), dist/preload/preload.cjs (CJS: sandboxed preloads cannot be ESM), dist/cli.js and the
 * worker scripts core code starts. Native and wasm packages stay external so their files load from node_modules.
 */
import { chmod, mkdir } from 'node:fs/promises';
import { build, type BuildOptions } from 'esbuild';

const external = [
  'electron',
  'onnxruntime-node',
  '@ffmpeg/core',
  '@alexanderolsen/libsamplerate-js',
  '@huggingface/transformers',
  'electron-store',
  'fastify',
  '@fastify/*',
  'ws',
  // BullMQ reads its Lua scripts from its own folder; ioredis and prom-client go with it.
  'bullmq',
  'ioredis',
  'prom-client',
];

export const baseOptions: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  external,
  logLevel: 'warning',
  // ESM bundles need require() for the CommonJS packages they inline.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
};

/**
 * The build flavour for license trust (electron/core/license/flavor.ts). `--release` bakes BUILD_FLAVOR = 'release'
 * into every bundle through `define` (nothing at run time can change it) and swaps the committed development
 * signing key for an empty module, so release bundles neither trust nor contain it.
 */
export function flavorOptions(release: boolean): Pick<BuildOptions, 'define' | 'plugins'> {
  if (!release) return {};
  return {
    define: { __EARSHOT_BUILD_FLAVOR__: '"release"' },
    plugins: [
      {
        name: 'omit-dev-signing-key',
        setup(b) {
          b.onLoad({ filter: /dev-keys[\\/]dev-private-key\.ts$/ }, () => ({
            contents: "export const DEV_PRIVATE_KEY_PEM: string = '';",
            loader: 'ts',
          }));
        },
      },
    ],
  };
}

export async function buildAll(options: { release?: boolean } = {}): Promise<void> {
  const common = { ...baseOptions, ...flavorOptions(options.release ?? false) };
  await mkdir('dist', { recursive: true });
  await Promise.all([
    build({ ...common, entryPoints: ['electron/main/main.ts'], outfile: 'dist/main/main.js', format: 'esm' }),
    build({
      ...common,
      banner: undefined,
      entryPoints: ['electron/preload/preload.ts'],
      outfile: 'dist/preload/preload.cjs',
      format: 'cjs',
      platform: 'node',
    }),
    build({
      ...common,
      entryPoints: ['electron/cli.ts'],
      outfile: 'dist/cli.js',
      format: 'esm',
      banner: { js: `#!/usr/bin/env node\n${common.banner!.js}` },
    }),
    // Desktop jobs (decode + inference) run in this worker thread; electron/core/jobs/worker-pipeline.ts finds it.
    build({
      ...common,
      entryPoints: ['electron/core/jobs/job-worker.ts'],
      outfile: 'dist/workers/job-worker.js',
      format: 'esm',
    }),
    // History search runs in this worker thread; electron/core/library/search-client.ts finds it.
    build({
      ...common,
      entryPoints: ['electron/core/library/search-worker.ts'],
      outfile: 'dist/workers/search-worker.js',
      format: 'esm',
    }),
    // Live microphone transcription: in the app it runs in this Electron utility process (ESM entries are supported
    // since Electron 28), which electron/main/live-engine.ts forks; the windows' frames ports lead straight to it.
    build({
      ...common,
      entryPoints: ['electron/utility/live-engine.ts'],
      outfile: 'dist/workers/live-engine.js',
      format: 'esm',
    }),
    // ...and outside Electron in this worker thread; electron/core/live/live-thread.ts finds it.
    build({
      ...common,
      entryPoints: ['electron/core/live/live-worker.ts'],
      outfile: 'dist/workers/live-worker.js',
      format: 'esm',
    }),
    // The WebAssembly ffmpeg runs in a worker thread; electron/core/audio/wasm.ts finds this file next to the bundle.
    build({
      ...common,
      entryPoints: ['electron/core/audio/wasm-worker.ts'],
      outfile: 'dist/audio-wasm-worker.js',
      format: 'esm',
    }),
  ]);
  await chmod('dist/cli.js', 0o755);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildAll({ release: process.argv.includes('--release') });
}
