/**
 * Builds the publishable package into dist/: one bundled ES module (dist/esm) and one CommonJS file (dist/cjs), each
 * with its .d.ts files and a package.json giving the folder's module type, so that `import` and `require` both get
 * the right code and the right types. esbuild and tsc come from the repository's own devDependencies (Node resolves
 * them from the folders above); the package itself has no dependencies at all.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const require = createRequire(import.meta.url);

rmSync(dist, { recursive: true, force: true });
for (const [format, dir, type] of [
  ['esm', 'esm', 'module'],
  ['cjs', 'cjs', 'commonjs'],
]) {
  await build({
    entryPoints: [path.join(root, 'src', 'index.ts')],
    outfile: path.join(dist, dir, 'index.js'),
    bundle: true,
    format,
    platform: 'neutral',
    target: ['es2022', 'node18'],
    sourcemap: true,
    keepNames: true, // error classes keep their names (e.name) in the bundle
    logLevel: 'warning',
  });
  mkdirSync(path.join(dist, dir), { recursive: true });
  writeFileSync(path.join(dist, dir, 'package.json'), `${JSON.stringify({ type }, null, 2)}\n`);
}

// Declarations once, then copied beside each build (the folder's package.json decides how they are read).
const tsc = path.join(path.dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
const types = path.join(dist, 'types');
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json'), '--outDir', types], { stdio: 'inherit' });
for (const dir of ['esm', 'cjs']) cpSync(types, path.join(dist, dir), { recursive: true });
rmSync(types, { recursive: true, force: true });
process.stderr.write(`built ${path.relative(process.cwd(), dist) || 'dist'} (esm, cjs, d.ts)\n`);
