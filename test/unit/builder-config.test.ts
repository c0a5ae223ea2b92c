import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';

const require = createRequire(import.meta.url);
const { validateConfiguration } = require('app-builder-lib/out/util/config/config');
const { DebugLogger } = require('builder-util');
const { load } = require('js-yaml');

const root = path.resolve(import.meta.dirname, '../..');
const config = load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8'));

test('electron-builder.yml passes electron-builder’s own validation', async () => {
  await validateConfiguration(structuredClone(config), new DebugLogger(false));
});

test('the validator rejects a broken config (so the test above can fail)', async () => {
  await assert.rejects(validateConfiguration({ ...structuredClone(config), notAnOption: 1 }, new DebugLogger(false)));
});

test('the config ships what the app needs unpacked and as resources', () => {
  assert.equal(config.productName, 'Earshot');
  assert.ok(config.asarUnpack.some((p: string) => p.includes('onnxruntime-node')));
  assert.ok(config.asarUnpack.some((p: string) => p.includes('@ffmpeg/core')));
  assert.equal(config.extraResources[0].from, 'models');
  assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
  assert.deepEqual(config.win.target, ['nsis']);
  assert.deepEqual(config.mac.target, ['dmg']);
});
