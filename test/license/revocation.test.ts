import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { LicenseService } from '../../electron/core/license/index.ts';
import { signRevocationList } from '../../electron/core/license/revocation.ts';
import { dataPaths } from '../../electron/core/paths.ts';
import { devKey, devLicense, manualClock, tempDir, throwawayKey } from './helpers.ts';

test('an imported revocation list is verified, stored, and honoured by later services on the folder', async () => {
  const dataDir = tempDir();
  const clock = manualClock();
  const { key, claims } = devLicense();
  const svc = new LicenseService({ dataDir, now: clock.now });
  svc.verify(key);
  const list = await svc.importRevocationList(signRevocationList([claims.id, 'lic_other'], devKey));
  assert.deepEqual([...list.ids].sort(), [claims.id, 'lic_other'].sort());
  assert.throws(() => svc.verify(key), { code: 'INVALID_LICENSE', reason: `license ${claims.id} has been revoked` });
  const stored = readFileSync(path.join(dataPaths(dataDir).license, 'revoked.json'), 'utf8');
  assert.match(stored, /"signature"/);
  const later = new LicenseService({ dataDir, now: clock.now });
  assert.throws(() => later.verify(key), { code: 'INVALID_LICENSE' });
});

test('a list signed by an unknown key, or altered, is rejected and changes nothing', async () => {
  const svc = new LicenseService({ dataDir: tempDir(), now: manualClock().now });
  const { key, claims } = devLicense();
  const stranger = throwawayKey();
  await assert.rejects(svc.importRevocationList(signRevocationList([claims.id], stranger.privateKey)), {
    code: 'INVALID_PARAMETER',
    message: /unknown key/,
  });
  const genuine = JSON.parse(signRevocationList(['lic_a'], devKey));
  const payload = JSON.parse(Buffer.from(genuine.payload, 'base64url').toString());
  payload.ids.push(claims.id);
  const altered = JSON.stringify({ ...genuine, payload: Buffer.from(JSON.stringify(payload)).toString('base64url') });
  await assert.rejects(svc.importRevocationList(altered), { message: /bad signature/ });
  for (const junk of ['', '{}', 'null', '{"payload":"!","signature":"!"}']) {
    await assert.rejects(svc.importRevocationList(junk), { code: 'INVALID_PARAMETER' });
  }
  assert.equal(svc.verify(key).id, claims.id);
});

test('an older list cannot replace a newer one (no un-revoking by rollback)', async () => {
  const svc = new LicenseService({ dataDir: tempDir(), now: manualClock().now });
  const older = signRevocationList([], devKey, new Date('2027-01-01T00:00:00Z'));
  const newer = signRevocationList(['lic_bad'], devKey, new Date('2027-01-02T00:00:00Z'));
  await svc.importRevocationList(newer);
  await assert.rejects(svc.importRevocationList(older), { message: /older/ });
  assert.ok(svc.revocationList()?.ids.has('lic_bad'));
});

test('a running service picks up a list another process imports into its folder (within about a second)', async () => {
  const dataDir = tempDir();
  const { key, claims } = devLicense({ issuedAt: new Date(Date.now() - 86_400_000) });
  const server = new LicenseService({ dataDir }); // e.g. `earshot serve`, started before the import
  assert.equal(server.verify(key).id, claims.id);
  const cli = new LicenseService({ dataDir }); // `earshot license import-revocations` in another process
  await cli.importRevocationList(signRevocationList([claims.id], devKey));
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    try {
      server.verify(key);
    } catch (e) {
      assert.equal((e as { code: string }).code, 'INVALID_LICENSE');
      assert.match((e as { reason: string }).reason, /revoked/);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail('the running service never noticed the imported revocation list');
});

test('a file swapped for an older or forged list does not undo a revocation in a running service', async () => {
  const dataDir = tempDir();
  const { key, claims } = devLicense({ issuedAt: new Date(Date.now() - 86_400_000) });
  const svc = new LicenseService({ dataDir });
  await svc.importRevocationList(signRevocationList([claims.id], devKey, new Date('2027-01-02T00:00:00Z')));
  const file = path.join(dataPaths(dataDir).license, 'revoked.json');
  writeFileSync(file, signRevocationList([], devKey, new Date('2027-01-01T00:00:00Z')));
  await new Promise((r) => setTimeout(r, 1200));
  assert.throws(() => svc.verify(key), { code: 'INVALID_LICENSE' });
  writeFileSync(file, '{"payload":"x","signature":"y"}');
  await new Promise((r) => setTimeout(r, 1200));
  assert.throws(() => svc.verify(key), { code: 'INVALID_LICENSE' });
});
