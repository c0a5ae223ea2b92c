/**
 * 10 000 hostile strings as keys: random text, random key-shaped text and mutations of a real key. Each must be
 * refused as INVALID_LICENSE (the seed body, nothing else) and never crash. Seeded, so a failure reproduces.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LicenseError, LicenseService } from '../../electron/core/license/index.ts';
import { normalizeKey } from '../../electron/core/license/format.ts';
import { seededRandom } from '../../electron/core/random.ts';
import { devLicense, manualClock, tempDir } from './helpers.ts';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const ODD = ['.', '=', '+', '/', '\u0000', 'é', '😀', '\uFFFF', '"', '{', '}', 'ESK1', 'ESK2', '..'];

test('10 000 random and mutated strings are all INVALID_LICENSE and never crash', () => {
  const rnd = seededRandom(0x5eed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[] | string): T => xs[int(xs.length)] as T;
  const { key } = devLicense();
  const [prefix, claims, sig] = key.split('.');
  const svc = new LicenseService({ dataDir: tempDir(), now: manualClock().now });
  const validClaimsJson = Buffer.from(claims, 'base64url').toString();

  const generators: (() => string)[] = [
    // random unicode / bytes
    () => Buffer.from(Array.from({ length: int(200) }, () => int(256))).toString('latin1'),
    () => String.fromCodePoint(...Array.from({ length: int(80) }, () => int(0x10ffff + 1) % 0xd800)),
    // key-shaped
    () =>
      `ESK1.${Array.from({ length: int(400) }, () => pick(B64)).join('')}.${Array.from({ length: 86 }, () => pick(B64)).join('')}`,
    () => Array.from({ length: 1 + int(5) }, () => Array.from({ length: int(60) }, () => pick(B64)).join('')).join('.'),
    // mutations of the real key
    () => {
      const i = int(key.length);
      return key.slice(0, i) + pick(B64) + key.slice(i + 1);
    },
    () => {
      const i = int(key.length);
      return key.slice(0, i) + key.slice(i + 1 + int(5));
    },
    () => {
      const i = int(key.length);
      return key.slice(0, i) + pick(ODD) + key.slice(i);
    },
    () => key.slice(0, int(key.length)),
    () => `${key}${pick(B64)}`,
    () => `${prefix}.${sig}.${claims}`,
    () => `${pick(['ESK0', 'esk1', 'ESK2', ''])}.${claims}.${sig}`,
    // re-signed-looking: valid JSON with a wrong field, old signature
    () => {
      const obj = JSON.parse(validClaimsJson);
      const field = pick(Object.keys(obj));
      obj[field] = pick([null, 0, -1, '', 'x'.repeat(300), [], {}, 1e308, true]);
      return `${prefix}.${Buffer.from(JSON.stringify(obj)).toString('base64url')}.${sig}`;
    },
    // JSON that is not claims at all
    () =>
      `${prefix}.${Buffer.from(pick(['null', '[]', '1', '"x"', '{}', '{"__proto__":{"a":1}}'])).toString('base64url')}.${sig}`,
    () => 'x'.repeat(int(20_000)),
  ];

  let tested = 0;
  const started = performance.now();
  while (tested < 10_000) {
    const candidate = pick(generators)();
    if (normalizeKey(candidate) === key) continue; // a no-op mutation (e.g. inserted whitespace) is the real key
    tested++;
    try {
      svc.verify(candidate);
      assert.fail(`accepted a mutated key: ${JSON.stringify(candidate.slice(0, 120))}`);
    } catch (e) {
      if (!(e instanceof LicenseError) || e.code !== 'INVALID_LICENSE') {
        assert.fail(`input ${JSON.stringify(candidate.slice(0, 120))} → ${e instanceof Error ? e.stack : e}`);
      }
      assert.deepEqual(e.toJSON(), { error: 'Invalid license key', code: 'INVALID_LICENSE' });
    }
    const status = svc.status(candidate);
    assert.ok(status.state === 'invalid' || status.state === 'none');
  }
  const ms = performance.now() - started;
  assert.ok(ms < 20_000, `10 000 checks took ${Math.round(ms)} ms`);
});
