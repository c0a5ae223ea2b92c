import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LicenseError, LicenseService } from '../../electron/core/license/index.ts';
import { signRevocationList } from '../../electron/core/license/revocation.ts';
import { issueLicense } from '../../electron/core/license/sign.ts';
import { DAY_MS, devKey, devLicense, manualClock, T0, tempDir, throwawayKey } from './helpers.ts';

function service(extra: Partial<ConstructorParameters<typeof LicenseService>[0]> = {}) {
  const clock = manualClock();
  return { clock, svc: new LicenseService({ dataDir: tempDir(), now: clock.now, ...extra }) };
}

/** Runs fn, expecting a LicenseError with `code`; returns it. */
function failure(fn: () => unknown, code: string): LicenseError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof LicenseError, `expected LicenseError, got ${e}`);
    assert.equal(e.code, code, `reason: ${e.reason}`);
    return e;
  }
  assert.fail(`expected ${code}, but it succeeded`);
}

const INVALID_BODY = { error: 'Invalid license key', code: 'INVALID_LICENSE' };

/** Replaces one character of a base64url segment with a different valid one. */
function flipChar(text: string, index: number): string {
  const c = text[index];
  const replacement = c === 'A' ? 'B' : 'A';
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

test('a valid development-signed key verifies and returns its claims', () => {
  const { svc } = service();
  const { key, claims } = devLicense({ customer: 'Acme', limits: { requestsPerMinute: 7 } });
  const got = svc.verify(key);
  assert.deepEqual(got, claims);
  assert.equal(got.limits.requestsPerMinute, 7);
  assert.equal(got.limits.concurrentRequests, 10);
  assert.equal(got.limits.audioHoursPerDay, 100);
  assert.match(key, /^ESK1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
});

test('a key pasted with line breaks and spaces still verifies', () => {
  const { svc } = service();
  const { key } = devLicense();
  const wrapped = `  ${key.slice(0, 40)}\n${key.slice(40, 90)} \r\n${key.slice(90)}\n`;
  assert.equal(svc.verify(wrapped).customer, 'Test Customer');
});

test('a tampered claim is INVALID_LICENSE with the seed body and a precise internal reason', () => {
  const { svc } = service();
  const { key, claims } = devLicense();
  const [prefix, , sig] = key.split('.');
  const forged = { ...claims, limits: { ...claims.limits, audioHoursPerDay: 100000 } };
  const forgedKey = `${prefix}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${sig}`;
  const e = failure(() => svc.verify(forgedKey), 'INVALID_LICENSE');
  assert.equal(e.status, 401);
  assert.deepEqual(e.toJSON(), INVALID_BODY);
  assert.match(e.reason, /signature does not match/);
  assert.ok(!JSON.stringify(e.toJSON()).includes('reason'));
});

test('a tampered signature is INVALID_LICENSE', () => {
  const { svc } = service();
  const { key } = devLicense();
  const dot = key.lastIndexOf('.');
  for (const at of [dot + 1, dot + 20, key.length - 2]) {
    const e = failure(() => svc.verify(flipChar(key, at)), 'INVALID_LICENSE');
    assert.deepEqual(e.toJSON(), INVALID_BODY);
  }
});

test('a key from an unknown signer is INVALID_LICENSE, even with a valid signature', () => {
  const { svc } = service();
  const stranger = throwawayKey();
  const { key } = issueLicense({ privateKey: stranger.privateKey, customer: 'X', expiresAt: new Date(T0 + DAY_MS) });
  const e = failure(() => svc.verify(key), 'INVALID_LICENSE');
  assert.match(e.reason, /unknown key/);
});

test('several signing keys are trusted at once (rotation), and replacing trust drops the dev key', () => {
  const oldKey = throwawayKey('old');
  const newKey = throwawayKey('new');
  const { svc } = service({ trustedKeys: [oldKey.trusted, newKey.trusted], replaceTrust: true });
  const expiresAt = new Date(T0 + DAY_MS);
  for (const k of [oldKey, newKey]) {
    const { key } = issueLicense({ privateKey: k.privateKey, customer: 'R', expiresAt, issuedAt: new Date(T0 - 1000) });
    assert.equal(svc.verify(key).customer, 'R');
  }
  failure(() => svc.verify(devLicense().key), 'INVALID_LICENSE');
  // a key signed by the new key but claiming the old kid fails: the kid selects the verifying key
  const { key } = issueLicense({ privateKey: newKey.privateKey, customer: 'R', expiresAt, issuedAt: new Date(T0) });
  const [p, c, s] = key.split('.');
  const claims = JSON.parse(Buffer.from(c, 'base64url').toString());
  claims.kid = oldKey.trusted.kid;
  failure(
    () => svc.verify(`${p}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`),
    'INVALID_LICENSE',
  );
});

test('expiry: valid one second before, LICENSE_EXPIRED with expires_at at the instant', () => {
  const { svc, clock } = service();
  const expiresAt = new Date(T0 + 10_000);
  const { key } = devLicense({ expiresAt });
  clock.set(expiresAt.getTime() - 1000);
  svc.verify(key);
  clock.set(expiresAt.getTime());
  const e = failure(() => svc.verify(key), 'LICENSE_EXPIRED');
  assert.equal(e.status, 403);
  assert.deepEqual(e.toJSON(), {
    error: 'License expired',
    code: 'LICENSE_EXPIRED',
    expires_at: expiresAt.toISOString().replace('.000Z', 'Z'),
  });
});

test('not yet valid: LICENSE_NOT_YET_VALID with starts_at until the start instant, valid from it', () => {
  const { svc, clock } = service();
  const notBefore = new Date(T0 + DAY_MS);
  const { key } = devLicense({ notBefore, issuedAt: new Date(T0) });
  clock.set(notBefore.getTime() - 1000);
  const e = failure(() => svc.verify(key), 'LICENSE_NOT_YET_VALID');
  assert.equal(e.status, 403);
  assert.deepEqual(e.toJSON(), {
    error: 'License not yet valid',
    code: 'LICENSE_NOT_YET_VALID',
    starts_at: '2027-01-16T12:00:00Z',
  });
  clock.set(notBefore.getTime());
  assert.equal(svc.verify(key).id.length > 0, true);
});

test('a revoked license is INVALID_LICENSE; others signed alike stay valid', () => {
  const a = devLicense({ id: 'lic_revoked1' });
  const b = devLicense({ id: 'lic_fine' });
  const { svc: plain } = service();
  const list = plain.checkRevocationList(signRevocationList(['lic_revoked1'], devKey));
  const { svc } = service({ revocationList: list });
  const e = failure(() => svc.verify(a.key), 'INVALID_LICENSE');
  assert.match(e.reason, /revoked/);
  assert.deepEqual(e.toJSON(), INVALID_BODY);
  assert.equal(svc.verify(b.key).id, 'lic_fine');
});

test('missing keys are INVALID_LICENSE', () => {
  const { svc } = service();
  for (const k of [undefined, null, '', '   ', 42, {}]) {
    const e = failure(() => svc.verify(k), 'INVALID_LICENSE');
    assert.deepEqual(e.toJSON(), INVALID_BODY);
  }
});

test('status() gives the UI state, masked key and exact reason', () => {
  const { svc, clock } = service();
  assert.deepEqual(svc.status(undefined), { state: 'none' });
  const { key } = devLicense({ plan: 'pro', expiresAt: new Date(T0 + DAY_MS) });
  const ok = svc.status(key);
  assert.equal(ok.state, 'valid');
  assert.equal(ok.plan, 'pro');
  assert.equal(ok.maskedKey, `${key.slice(0, 8)}…${key.slice(-4)}`);
  assert.deepEqual(ok.usage, { audioHoursToday: 0, audioHoursPerDay: 100, resetsAt: '2027-01-16T00:00:00Z' });
  assert.ok(!JSON.stringify(ok).includes(key.slice(10, 40)), 'status never carries the key');
  const bad = svc.status(`${key}x`);
  assert.equal(bad.state, 'invalid');
  assert.equal(bad.error?.code, 'INVALID_LICENSE');
  assert.equal(bad.error?.message, 'Invalid license key');
  assert.match(String(bad.error?.details?.reason), /malformed/);
  clock.advance(2 * DAY_MS);
  const expired = svc.status(key);
  assert.equal(expired.state, 'expired');
  assert.equal(expired.customer, 'Test Customer');
  assert.equal(expired.error?.details?.expires_at, '2027-01-16T12:00:00Z');
});
