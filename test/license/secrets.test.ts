import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  constantTimeEqual,
  EnvSecretStore,
  FileSecretStore,
  type LicenseError,
  LicenseService,
  matchesAnyKey,
  redactKey,
} from '../../electron/core/license/index.ts';
import { DAY_MS, devLicense, manualClock, T0, tempDir } from './helpers.ts';

test('constantTimeEqual agrees with === on random, equal, prefix, one-char-off and different-length inputs', () => {
  const samples: [string, string][] = [];
  for (let i = 0; i < 500; i++) {
    const a = randomBytes(1 + (i % 64)).toString('base64url');
    const off = a.slice(0, -1) + (a.endsWith('A') ? 'B' : 'A');
    samples.push([a, a], [a, off], [a, a.slice(0, -1)], [a, `${a}x`], [a, ''], ['', a]);
    samples.push([a, randomBytes(1 + (i % 64)).toString('base64url')]);
  }
  samples.push(['', ''], ['é', 'é'], ['é', 'e'], ['\u0000', ''], ['ab', 'ba']);
  for (const [a, b] of samples) assert.equal(constantTimeEqual(a, b), a === b, `${a} vs ${b}`);
});

test('matchesAnyKey finds a key anywhere in the configured list, and only an exact one', () => {
  const keys = ['alpha', 'beta', 'gamma'];
  for (const k of keys) assert.equal(matchesAnyKey(k, keys), true);
  for (const k of ['alph', 'alphaa', 'Beta', '', 'delta']) assert.equal(matchesAnyKey(k, keys), false);
  assert.equal(matchesAnyKey('alpha', []), false);
});

test('redactKey keeps the first 8 and last 4 characters and hides short inputs', () => {
  const { key } = devLicense();
  const masked = redactKey(key);
  assert.equal(masked, `${key.slice(0, 8)}…${key.slice(-4)}`);
  assert.ok(masked.length < 20);
  assert.equal(redactKey('short-secret'), '…');
  assert.equal(redactKey(undefined), '(none)');
  assert.equal(redactKey(''), '(none)');
});

test('EnvSecretStore reads LICENSE_KEY, allows a comma-separated list, and is read-only', async () => {
  const store = new EnvSecretStore({ LICENSE_KEY: ' ESK1.a.b , ESK1.c.d,,\nESK1.e.f ' });
  assert.equal(await store.get(), 'ESK1.a.b');
  assert.deepEqual(store.getAll(), ['ESK1.a.b', 'ESK1.c.d', 'ESK1.e.f']);
  assert.deepEqual(store.describe(), { backend: 'env:LICENSE_KEY', weak: false });
  assert.equal(await new EnvSecretStore({}).get(), undefined);
  await assert.rejects(store.set('x'), { code: 'INVALID_PARAMETER' });
  await assert.rejects(store.remove(), { code: 'INVALID_PARAMETER' });
});

test('FileSecretStore writes mode 0600 and refuses a key file others can read', {
  skip: process.platform === 'win32',
}, async () => {
  const file = path.join(tempDir(), 'license.key');
  const store = new FileSecretStore(file);
  assert.equal(await store.get(), undefined);
  const { key } = devLicense();
  await store.set(key);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(await store.get(), key);
  chmodSync(file, 0o644);
  const e = await store.get().then(
    () => assert.fail('read a world-readable key file'),
    (err: Error) => err,
  );
  assert.match(e.message, /readable by other users/);
  assert.ok(!e.message.includes(key.slice(5, 30)), 'the error does not echo the key');
  chmodSync(file, 0o640);
  await assert.rejects(store.get(), /readable by other users/);
  writeFileSync(file, `\n  ${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  assert.equal(await store.get(), key);
  await store.remove();
  assert.equal(await store.get(), undefined);
});

test('failed authentications are counted per address and repeated failures are slowed down', async () => {
  const clock = manualClock();
  const svc = new LicenseService({ dataDir: tempDir(), now: clock.now });
  const { key } = devLicense();
  const delays: number[] = [];
  for (let i = 0; i < 9; i++) {
    const e = await svc.authorize(`bad-${i}`, { clientAddress: '10.0.0.9' }).then(
      () => assert.fail('accepted a bad key'),
      (err: LicenseError) => err,
    );
    assert.equal(e.code, 'INVALID_LICENSE');
    delays.push(e.delayMs);
  }
  assert.deepEqual(delays, [0, 0, 0, 0, 0, 250, 500, 1000, 2000]);
  await assert.rejects(svc.authorize(undefined, { clientAddress: '10.0.0.7' }), { code: 'INVALID_LICENSE' });
  assert.equal(svc.failedAuthCount(), 10);
  assert.equal(svc.failedAuthCount('10.0.0.9'), 9);
  assert.equal(svc.failedAuthCount('10.0.0.7'), 1);
  const snapshot = svc.failedAuthSnapshot();
  assert.equal(snapshot.total, 10);
  assert.equal(snapshot.addresses[0].address, '10.0.0.9');
  assert.equal(snapshot.addresses[0].consecutive, 9);
  // a success from that address does not clear the slow-down (a valid key must not reset a guessing run)...
  (await svc.authorize(key, { clientAddress: '10.0.0.9' })).release();
  const after = await svc.authorize('bad', { clientAddress: '10.0.0.9' }).catch((err: LicenseError) => err);
  assert.equal((after as LicenseError).delayMs, 4000);
  assert.equal(svc.failedAuthCount('10.0.0.9'), 10);
  // ...only a quiet spell does, and the count stays for monitoring
  clock.advance(16 * 60_000);
  const rested = await svc.authorize('bad', { clientAddress: '10.0.0.9' }).catch((err: LicenseError) => err);
  assert.equal((rested as LicenseError).delayMs, 0);
  assert.equal(svc.failedAuthCount('10.0.0.9'), 11);
  // the delay is capped
  for (let i = 0; i < 40; i++) await svc.authorize('bad', { clientAddress: '10.0.0.1' }).catch(() => {});
  const capped = (await svc.authorize('bad', { clientAddress: '10.0.0.1' }).catch((err) => err)) as LicenseError;
  assert.equal(capped.delayMs, 10_000);
  // a failure decided by the caller (a key the server was not configured with) counts the same way
  assert.equal(svc.recordAuthFailure('10.0.0.3'), 0);
  assert.equal(svc.failedAuthCount('10.0.0.3'), 1);
  // an expired (but genuine) key is not a guessing attempt
  const expired = devLicense({ issuedAt: new Date(T0 - 2 * DAY_MS), expiresAt: new Date(T0 - DAY_MS) });
  await assert.rejects(svc.authorize(expired.key, { clientAddress: '10.0.0.2' }), { code: 'LICENSE_EXPIRED' });
  assert.equal(svc.failedAuthCount('10.0.0.2'), 0);
});
