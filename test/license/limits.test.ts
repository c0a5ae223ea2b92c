import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { LicenseError, LicenseService } from '../../electron/core/license/index.ts';
import { dataPaths } from '../../electron/core/paths.ts';
import { DAY_MS, devLicense, manualClock, T0, tempDir } from './helpers.ts';

async function rejection(p: Promise<unknown>, code: string): Promise<LicenseError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof LicenseError, `expected LicenseError, got ${e}`);
    assert.equal(e.code, code, e.reason);
    return e;
  }
  assert.fail(`expected ${code}`);
}

const client = { clientAddress: '127.0.0.1' };

test('requests per minute: exactly N pass, N+1 gets 429 with retry_after, the window then slides', async () => {
  const clock = manualClock();
  const svc = new LicenseService({ dataDir: tempDir(), now: clock.now });
  const { key } = devLicense({ limits: { requestsPerMinute: 5 } });
  for (let i = 0; i < 5; i++) {
    (await svc.authorize(key, client)).release();
    clock.advance(1000); // requests at t = 0,1,2,3,4 s
  }
  const e = await rejection(svc.authorize(key, client), 'RATE_LIMIT_EXCEEDED');
  assert.equal(e.status, 429);
  // at t = 5 s the oldest request leaves the window at t = 60 s: 55 s to wait
  assert.deepEqual(e.toJSON(), { error: 'Rate limit exceeded', code: 'RATE_LIMIT_EXCEEDED', retry_after: 55 });
  clock.set(T0 + 59_999);
  await rejection(svc.authorize(key, client), 'RATE_LIMIT_EXCEEDED');
  clock.set(T0 + 60_000);
  (await svc.authorize(key, client)).release();
  await rejection(svc.authorize(key, client), 'RATE_LIMIT_EXCEEDED');
  assert.equal(svc.usage(svc.verify(key).id).requestsLastMinute, 5);
});

test('the default limit is 60 requests per minute', async () => {
  const svc = new LicenseService({ dataDir: tempDir(), now: manualClock().now });
  const { key } = devLicense();
  for (let i = 0; i < 60; i++) (await svc.authorize(key, client)).release();
  await rejection(svc.authorize(key, client), 'RATE_LIMIT_EXCEEDED');
});

test('concurrency: exactly N leases at once, N+1 gets 429, a release frees a slot (release is idempotent)', async () => {
  const svc = new LicenseService({ dataDir: tempDir(), now: manualClock().now });
  const { key } = devLicense({ limits: { concurrentRequests: 3 } });
  const leases = [];
  for (let i = 0; i < 3; i++) leases.push(await svc.authorize(key, client));
  const e = await rejection(svc.authorize(key, client), 'RATE_LIMIT_EXCEEDED');
  assert.equal(e.toJSON().retry_after, 1);
  leases[0].release();
  leases[0].release();
  const again = await svc.authorize(key, client);
  await rejection(svc.authorize(key, client), 'RATE_LIMIT_EXCEEDED');
  assert.equal(svc.usage(again.claims.id).activeRequests, 3);
  for (const l of [again, ...leases]) l.release();
  assert.equal(svc.usage(again.claims.id).activeRequests, 0);
});

test('a refused concurrent request does not use up the per-minute allowance', async () => {
  const svc = new LicenseService({ dataDir: tempDir(), now: manualClock().now });
  const { key } = devLicense({ limits: { concurrentRequests: 1, requestsPerMinute: 2 } });
  const held = await svc.authorize(key, client);
  for (let i = 0; i < 5; i++) await rejection(svc.authorize(key, client), 'RATE_LIMIT_EXCEEDED');
  held.release();
  (await svc.authorize(key, client)).release();
});

test('audio quota: exactly the daily hours pass, one second more is QUOTA_EXCEEDED with resets_at', async () => {
  const clock = manualClock();
  const svc = new LicenseService({ dataDir: tempDir(), now: clock.now });
  const { key, claims } = devLicense({ limits: { audioHoursPerDay: 1 } });
  const lease = await svc.authorize(key, client);
  await lease.recordAudio(3599);
  // one more second exactly reaches the limit
  const upFront = await rejection(svc.authorize(key, { ...client, audioSeconds: 2 }), 'QUOTA_EXCEEDED');
  assert.deepEqual(upFront.toJSON(), {
    error: 'Quota exceeded',
    code: 'QUOTA_EXCEEDED',
    resets_at: '2027-01-16T00:00:00Z',
    audio_hours_per_day: 1,
    audio_hours_used: 1,
  });
  await lease.recordAudio(1);
  assert.equal(svc.usage(claims.id).audioSeconds, 3600);
  await rejection(lease.recordAudio(1), 'QUOTA_EXCEEDED');
  assert.equal(svc.usage(claims.id).audioSeconds, 3600, 'a refused charge charges nothing');
  const e = await rejection(svc.authorize(key, client), 'QUOTA_EXCEEDED');
  assert.equal(e.status, 403);
  assert.equal(svc.status(key).state, 'quota_exceeded');
  lease.release();
  // the next UTC day starts afresh
  clock.set(Date.UTC(2027, 0, 16));
  const next = await svc.authorize(key, { ...client, audioSeconds: 3600 });
  await next.recordAudio(3600);
  await rejection(next.recordAudio(0.001), 'QUOTA_EXCEEDED');
  next.release();
});

test('the audio quota check is exact at the boundary when the duration is known up front', async () => {
  const svc = new LicenseService({ dataDir: tempDir(), now: manualClock().now });
  const { key } = devLicense({ limits: { audioHoursPerDay: 2 } });
  (await svc.authorize(key, { ...client, audioSeconds: 7200 })).release();
  await rejection(svc.authorize(key, { ...client, audioSeconds: 7201 }), 'QUOTA_EXCEEDED');
});

test('usage survives a restart: a new service on the same folder sees the charged audio', async () => {
  const dataDir = tempDir();
  const clock = manualClock();
  const { key, claims } = devLicense({ limits: { audioHoursPerDay: 1 } });
  const first = new LicenseService({ dataDir, now: clock.now });
  const lease = await first.authorize(key, client);
  await lease.recordAudio(3000);
  // no flush, no release: as if the process died right after the charge returned
  const stored = JSON.parse(readFileSync(dataPaths(dataDir).usage, 'utf8'));
  assert.equal(stored.usage[claims.id].audioSeconds, 3000);
  const second = new LicenseService({ dataDir, now: clock.now });
  assert.equal(second.usage(claims.id).audioSeconds, 3000);
  const l2 = await second.authorize(key, client);
  await l2.recordAudio(600);
  await rejection(l2.recordAudio(1), 'QUOTA_EXCEEDED');
  const third = new LicenseService({ dataDir, now: clock.now });
  await rejection(third.authorize(key, client), 'QUOTA_EXCEEDED');
});

test('concurrent charges cannot overshoot the quota', async () => {
  const svc = new LicenseService({ dataDir: tempDir(), now: manualClock().now });
  const { key, claims } = devLicense({ limits: { audioHoursPerDay: 1, concurrentRequests: 10 } });
  const leases = await Promise.all(Array.from({ length: 10 }, () => svc.authorize(key, client)));
  const results = await Promise.allSettled(leases.map((l) => l.recordAudio(1000)));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
  assert.equal(svc.usage(claims.id).audioSeconds, 3000);
  const reopened = new LicenseService({ dataDir: svc.dataDir, now: manualClock().now });
  assert.equal(reopened.usage(claims.id).audioSeconds, 3000);
});

test('clock set back: an expired key stays expired, in this process and after a restart', async () => {
  const dataDir = tempDir();
  const clock = manualClock();
  const expiresAt = new Date(T0 + DAY_MS);
  const { key } = devLicense({ expiresAt });
  const svc = new LicenseService({ dataDir, now: clock.now });
  svc.verify(key);
  clock.set(expiresAt.getTime() + 3600_000);
  assert.throws(() => svc.verify(key), { code: 'LICENSE_EXPIRED' });
  await svc.flush();
  clock.set(T0); // the user turns the clock back to when the key was valid
  const e = (() => {
    try {
      svc.verify(key);
    } catch (err) {
      return err as LicenseError;
    }
    assert.fail('an expired key was revived by setting the clock back');
  })();
  assert.equal(e.code, 'LICENSE_EXPIRED');
  assert.match(e.reason, /clock is behind/);
  const restarted = new LicenseService({ dataDir, now: clock.now });
  assert.throws(() => restarted.verify(key), { code: 'LICENSE_EXPIRED' });
});

test('clock set back does not reopen an earlier day of audio quota', async () => {
  const dataDir = tempDir();
  const clock = manualClock();
  const { key, claims } = devLicense({ limits: { audioHoursPerDay: 1 } });
  const svc = new LicenseService({ dataDir, now: clock.now });
  const lease = await svc.authorize(key, client);
  await lease.recordAudio(3600);
  lease.release();
  clock.set(T0 - DAY_MS); // yesterday
  await rejection(svc.authorize(key, client), 'QUOTA_EXCEEDED');
  const restarted = new LicenseService({ dataDir, now: clock.now });
  assert.equal(restarted.usage(claims.id).audioSeconds, 3600);
  await rejection(restarted.authorize(key, client), 'QUOTA_EXCEEDED');
});

test('limits are per license: one key at its limit does not block another', async () => {
  const svc = new LicenseService({ dataDir: tempDir(), now: manualClock().now });
  const a = devLicense({ limits: { requestsPerMinute: 1 } });
  const b = devLicense({ limits: { requestsPerMinute: 1 } });
  (await svc.authorize(a.key, client)).release();
  await rejection(svc.authorize(a.key, client), 'RATE_LIMIT_EXCEEDED');
  (await svc.authorize(b.key, client)).release();
});
