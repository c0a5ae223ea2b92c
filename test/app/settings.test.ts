import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import {
  defaultSettings,
  migrateSettings,
  SETTINGS_SCHEMA_VERSION,
  settingsPatchSchema,
} from '../../electron/core/settings/schema.ts';
import { jsonFileBackend, SettingsService } from '../../electron/core/settings/store.ts';
import { tempHome } from './fixtures.ts';

test('defaults: local-only server off, automatic device, VAD on', () => {
  const d = defaultSettings();
  assert.equal(d.device, 'auto');
  assert.equal(d.threads, 0);
  assert.equal(d.server.enabled, false);
  assert.equal(d.server.host, '127.0.0.1');
  assert.equal(d.vad, true);
  assert.deepEqual(d.subtitles, { maxLineLength: 42, maxLines: 2 });
});

test('a version-1 file is migrated: useGpu and apiServer become device and server', () => {
  const s = migrateSettings({ useGpu: false, apiServer: { enabled: true, port: 8000 }, language: 'de' });
  assert.equal(s.device, 'cpu');
  assert.deepEqual(s.server, { enabled: true, port: 8000, host: '127.0.0.1' });
  assert.equal(s.language, 'de');
  assert.equal('useGpu' in s, false);
});

test('one invalid value falls back to its default and keeps the others', () => {
  const s = migrateSettings({ schemaVersion: SETTINGS_SCHEMA_VERSION, device: 'quantum', threads: 6, theme: 'dark' });
  assert.equal(s.device, 'auto');
  assert.equal(s.threads, 6);
  assert.equal(s.theme, 'dark');
  assert.deepEqual(migrateSettings('garbage'), defaultSettings());
});

test('patches are validated strictly', () => {
  assert.equal(settingsPatchSchema.safeParse({ threads: -1 }).success, false);
  assert.equal(settingsPatchSchema.safeParse({ server: { port: 70000 } }).success, false);
  assert.equal(settingsPatchSchema.safeParse({ unknown: 1 }).success, false);
  assert.equal(settingsPatchSchema.safeParse({ server: { enabled: true } }).success, true);
});

test('a nested patch carries only what it names: no defaults are filled in (IPC validates with this schema)', () => {
  assert.deepEqual(settingsPatchSchema.parse({ server: { port: 7200 } }), { server: { port: 7200 } });
  assert.deepEqual(settingsPatchSchema.parse({ watch: { folder: '/x' } }), { watch: { folder: '/x' } });
  assert.equal(settingsPatchSchema.safeParse({ server: { bogus: 1 } }).success, false, 'unknown nested fields refused');
});

test('the JSON store writes atomically, merges nested patches and survives a reopen', async () => {
  const home = await tempHome();
  const file = path.join(home, 'settings.json');
  const store = new SettingsService(jsonFileBackend(file));
  const seen: number[] = [];
  store.onChange((s) => seen.push(s.server.port));
  await store.update({ server: { enabled: true } });
  await store.update({ server: { port: 7200 }, language: 'fr' });
  const onDisk = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(onDisk.schemaVersion, SETTINGS_SCHEMA_VERSION);
  assert.deepEqual(onDisk.server, { enabled: true, port: 7200, host: '127.0.0.1' });
  assert.deepEqual(seen, [7100, 7200]);
  const reopened = new SettingsService(jsonFileBackend(file));
  assert.equal(reopened.get().language, 'fr');
  assert.equal(reopened.get().server.enabled, true);
  assert.deepEqual((await fs.readdir(home)).sort(), ['settings.json'], 'no temp files left behind');
  await fs.writeFile(file, '{ torn');
  assert.deepEqual(new SettingsService(jsonFileBackend(file)).get(), defaultSettings());
  await fs.rm(home, { recursive: true, force: true });
});
