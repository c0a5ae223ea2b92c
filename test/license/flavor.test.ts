/**
 * The release flavour is a compile-time fact. These tests bundle a small program with the real build settings
 * (tools/build.ts flavorOptions) and run it with every environment knob one might try; only the bundle's flavour
 * decides whether the development key is trusted.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { build } from 'esbuild';
import { BUILD_FLAVOR } from '../../electron/core/license/index.ts';
import { defaultTrustSet, developmentKey } from '../../electron/core/license/trust.ts';
import { baseOptions, flavorOptions } from '../../tools/build.ts';
import { devLicense, tempDir } from './helpers.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const DEV_PRIVATE_MARKER = 'MC4CAQAwBQYDK2VwBCIEIJ0U'; // the committed dev private key's first characters

const PROBE = `
globalThis.__EARSHOT_BUILD_FLAVOR__ = 'development'; // an attempt to flip the flavour at run time
const { BUILD_FLAVOR, LicenseService } = await import('./electron/core/license/index.ts');
const { defaultTrustSet, developmentKey } = await import('./electron/core/license/trust.ts');
const { run } = await import('./electron/cli/license.ts');
const [key, dataDir] = process.argv.slice(2);
const out = { flavor: BUILD_FLAVOR, trusted: [...defaultTrustSet().keys()] };
try { new LicenseService({ dataDir }).verify(key); out.verdict = 'valid'; }
catch (e) { out.verdict = e.code; out.reason = e.reason; }
try { new LicenseService({ dataDir, trustedKeys: [developmentKey()] }); out.extraTrust = 'accepted'; }
catch { out.extraTrust = 'refused'; }
out.issueDevExit = await run(['issue', '--dev', '--customer', 'x', '--expires', '2099-01-01']);
process.stdout.write('\\n' + JSON.stringify(out) + '\\n');
`;

async function bundle(release: boolean, dir: string): Promise<string> {
  const outfile = path.join(dir, `probe-${release ? 'release' : 'dev'}.mjs`);
  await build({
    stdin: { contents: PROBE, resolveDir: repo, sourcefile: 'probe.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'silent',
    banner: baseOptions.banner, // as the real bundles: require() for the CommonJS packages they inline
    ...flavorOptions(release),
  });
  return outfile;
}

function runProbe(file: string, key: string, dataDir: string) {
  const stdout = execFileSync(process.execPath, [file, key, dataDir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'development',
      EARSHOT_BUILD_FLAVOR: 'development',
      BUILD_FLAVOR: 'development',
      __EARSHOT_BUILD_FLAVOR__: 'development',
      EARSHOT_DEV: '1',
      LICENSE_PUBLIC_KEY: developmentKey().key.export({ type: 'spki', format: 'pem' }).toString(),
    },
  });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

test('source runs and tests are the development flavour, which trusts the dev key', () => {
  assert.equal(BUILD_FLAVOR, 'development');
  assert.ok(defaultTrustSet('development').has(developmentKey().kid));
  assert.ok(!defaultTrustSet('release').has(developmentKey().kid));
  assert.ok(defaultTrustSet('release').size >= 1, 'release trusts the vendor keys');
});

test('a release bundle rejects a dev-signed key whatever the environment says; a dev bundle accepts it', async () => {
  const dir = tempDir();
  const { key } = devLicense({ issuedAt: new Date(), expiresAt: new Date(Date.now() + 86_400_000) });
  const [releaseFile, devFile] = await Promise.all([bundle(true, dir), bundle(false, dir)]);

  const release = runProbe(releaseFile, key, path.join(dir, 'home-release'));
  assert.equal(release.flavor, 'release');
  assert.equal(release.verdict, 'INVALID_LICENSE');
  assert.match(release.reason, /unknown key/);
  assert.ok(!release.trusted.includes(developmentKey().kid));
  assert.equal(release.extraTrust, 'refused');
  assert.equal(release.issueDevExit, 2, '`issue --dev` is refused in a release build');
  assert.ok(!readFileSync(releaseFile, 'utf8').includes(DEV_PRIVATE_MARKER), 'no dev private key in release');

  const dev = runProbe(devFile, key, path.join(dir, 'home-dev'));
  assert.equal(dev.flavor, 'development');
  assert.equal(dev.verdict, 'valid');
  assert.equal(dev.extraTrust, 'accepted');
  assert.equal(dev.issueDevExit, 0);
});
