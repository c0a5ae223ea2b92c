import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { LicenseService } from '../../electron/core/license/index.ts';
import { dataPaths } from '../../electron/core/paths.ts';
import { DAY_MS, devLicense, manualClock, T0, tempDir } from './helpers.ts';

const client = { clientAddress: '127.0.0.1' };
const repo = path.resolve(import.meta.dirname, '../..');

test('two services on one folder (two processes) add up their charges and share the quota', async () => {
  const dataDir = tempDir();
  const clock = manualClock();
  const { key, claims } = devLicense({ limits: { audioHoursPerDay: 1 } });
  const app = new LicenseService({ dataDir, now: clock.now });
  const cli = new LicenseService({ dataDir, now: clock.now });
  const a = await app.authorize(key, client);
  const b = await cli.authorize(key, client);
  await a.recordAudio(1000);
  await b.recordAudio(1000);
  await a.recordAudio(1000);
  assert.equal(app.usage(claims.id).audioSeconds, 3000);
  assert.equal(cli.usage(claims.id).audioSeconds, 3000);
  await assert.rejects(b.recordAudio(601), { code: 'QUOTA_EXCEEDED' });
  await b.recordAudio(600);
  await assert.rejects(a.recordAudio(1), { code: 'QUOTA_EXCEEDED' });
  assert.equal(JSON.parse(readFileSync(dataPaths(dataDir).usage, 'utf8')).usage[claims.id].audioSeconds, 3600);
});

test('a charge made while an earlier one is being written is counted once', async () => {
  const svc = new LicenseService({ dataDir: tempDir(), now: manualClock().now });
  const { key, claims } = devLicense({ limits: { audioHoursPerDay: 1 } });
  const lease = await svc.authorize(key, client);
  const first = lease.recordAudio(1800);
  await new Promise((r) => setImmediate(r)); // let the write start
  assert.equal(svc.usage(claims.id).audioSeconds, 1800);
  const second = lease.recordAudio(1800);
  await assert.rejects(lease.recordAudio(1), { code: 'QUOTA_EXCEEDED' });
  await Promise.all([first, second]);
  assert.equal(svc.usage(claims.id).audioSeconds, 3600);
  await svc.flush();
  assert.equal(
    new LicenseService({ dataDir: svc.dataDir, now: manualClock().now }).usage(claims.id).audioSeconds,
    3600,
  );
});

test('a process killed with SIGKILL mid-stream keeps every charge it reported, and the file stays valid', async () => {
  const dataDir = tempDir();
  const { key, claims } = devLicense({ issuedAt: new Date(), expiresAt: new Date(Date.now() + 86_400_000) });
  const script = `
    import { LicenseService } from './electron/core/license/index.ts';
    const svc = new LicenseService({ dataDir: process.argv[1] });
    const lease = await svc.authorize(process.argv[2], { clientAddress: 'x' });
    for (let i = 0; ; i++) { await lease.recordAudio(1); process.stdout.write('.'); }
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dataDir, key], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let acknowledged = 0;
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      acknowledged += chunk.length;
      if (acknowledged >= 30 && !child.killed) {
        child.kill('SIGKILL');
        resolve();
      }
    });
  });
  await new Promise((r) => child.on('close', r));
  const reopened = new LicenseService({ dataDir });
  const recorded = reopened.usage(claims.id).audioSeconds;
  assert.ok(recorded >= acknowledged, `recorded ${recorded} s, the process had confirmed ${acknowledged}`);
  assert.ok(recorded <= acknowledged + 1, `recorded ${recorded} s, at most one unconfirmed charge may have landed`);
});

test('two processes charging at the same time lose no charge (the ledger file is locked while it is updated)', async () => {
  const dataDir = tempDir();
  const { key, claims } = devLicense({ issuedAt: new Date(), expiresAt: new Date(Date.now() + 86_400_000) });
  const perProcess = 150;
  const script = `
    import { LicenseService } from './electron/core/license/index.ts';
    const svc = new LicenseService({ dataDir: process.argv[1] });
    const lease = await svc.authorize(process.argv[2], { clientAddress: 'x' });
    // Every charge is awaited, so each one is a separate read-merge-write of the shared file.
    for (let i = 0; i < ${perProcess}; i++) await lease.recordAudio(1);
    await svc.flush();
  `;
  const run = () =>
    new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dataDir, key], {
        cwd: repo,
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      child.on('close', resolve);
    });
  assert.deepEqual(await Promise.all([run(), run()]), [0, 0]);
  assert.equal(new LicenseService({ dataDir }).usage(claims.id).audioSeconds, 2 * perProcess);
});

test('two processes sharing a folder cannot both take the last of the quota: the check is made again under the lock', async () => {
  const dataDir = tempDir();
  const clock = manualClock();
  const { key, claims } = devLicense({ limits: { audioHoursPerDay: 7.2 / 3600 } }); // 7.2 s a day
  // Two services on one folder share only the file and its lock, exactly as two processes do.
  const a = new LicenseService({ dataDir, now: clock.now });
  const b = new LicenseService({ dataDir, now: clock.now });
  const leaseA = await a.authorize(key, client);
  const leaseB = await b.authorize(key, client);
  const outcomes = await Promise.allSettled([leaseA.recordAudio(5), leaseB.recordAudio(5)]);
  assert.deepEqual(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected']);
  const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
  assert.equal(refused.reason.code, 'QUOTA_EXCEEDED');
  assert.equal(JSON.parse(readFileSync(dataPaths(dataDir).usage, 'utf8')).usage[claims.id].audioSeconds, 5);
  assert.equal(a.usage(claims.id).audioSeconds, 5);
  assert.equal(b.usage(claims.id).audioSeconds, 5);
});

test('usage and the clock high-water mark live in the data folder: a fresh folder starts from nothing (as the README says)', async () => {
  const { key } = devLicense({ expiresAt: new Date(T0 + DAY_MS) });
  const clock = manualClock(T0 + 2 * DAY_MS);
  const kept = tempDir();
  const first = new LicenseService({ dataDir: kept, now: clock.now });
  assert.throws(() => first.verify(key), { code: 'LICENSE_EXPIRED' });
  await first.flush(); // the time seen is written to the folder
  clock.set(T0); // the clock is turned back
  assert.throws(() => new LicenseService({ dataDir: kept, now: clock.now }).verify(key), { code: 'LICENSE_EXPIRED' });
  // ...but a new data folder has seen no time yet, so there the key is valid again.
  assert.equal(new LicenseService({ dataDir: tempDir(), now: clock.now }).verify(key).customer, 'Test Customer');
  const readme = readFileSync(path.join(repo, 'README.md'), 'utf8');
  assert.match(readme, /fresh (or emptied )?data folder[^.]*(usage|high-water)/i, 'the README states the limit');
});
