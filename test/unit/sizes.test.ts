/** The one byte-size formatter (core/format/sizes.ts): decimal units, shared by the CLI, core and the UI. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes } from '../../electron/core/format/sizes.ts';
import { bytes } from '../../renderer/src/shared/format.ts';

test('decimal units, at most three significant figures', () => {
  const cases: [number, string][] = [
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1.0 kB'],
    [1024, '1.0 kB'],
    [1536, '1.5 kB'],
    [75_300_000, '75.3 MB'],
    [99_940_000, '99.9 MB'],
    [99_960_000, '100 MB'],
    [150_000_000, '150 MB'],
    [999_400_000, '999 MB'],
    [999_990_000, '1.0 GB'],
    [16 * 1024 ** 3, '17.2 GB'],
    [2.1e12, '2.1 TB'],
    [12.5, '13 B'],
  ];
  for (const [n, text] of cases) assert.equal(formatBytes(n), text, String(n));
  assert.equal(formatBytes(Number.NaN), '–');
  assert.equal(formatBytes(-1), '–');
});

test('the UI shows sizes with the same formatter as the CLI', () => {
  for (const n of [0, 999, 1000, 1536, 150_000_000, 16 * 1024 ** 3]) assert.equal(bytes(n), formatBytes(n));
});
