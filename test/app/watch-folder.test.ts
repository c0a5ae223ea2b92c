/**
 * The watch folder on a real folder with the real core: a file copied in is transcribed once it stops growing and its
 * transcript is written beside it; files that were there before, other files and a restart do not start work.
 * And auto-export: every finished transcript also lands in one chosen folder, never over an existing file.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { WatchStatus } from '../../electron/contract/api.ts';
import { FileSecretStore } from '../../electron/core/license/index.ts';
import { createDesktop, type Desktop } from '../../electron/core/services.ts';
import { demoModelAvailable, devKey, speechWav, tempHome, WHISPER_FIXTURE } from './fixtures.ts';

let home: string;
let folder: string;
let d: Desktop;

async function open(): Promise<Desktop> {
  const desktop = await createDesktop({
    home,
    secretStore: new FileSecretStore(path.join(home, 'license', 'key')),
    watchPollMs: 100,
  });
  if (!demoModelAvailable() && !(await desktop.modelManager.views()).some((m) => m.installed && !m.bundled)) {
    await desktop.modelManager.import(WHISPER_FIXTURE);
  }
  return desktop;
}

async function status(): Promise<WatchStatus> {
  const r = await d.dispatch('watch:status', []);
  assert.ok(r.ok);
  return r.value as WatchStatus;
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

before(async () => {
  home = await tempHome('earshot-watch-');
  folder = path.join(home, 'Recordings');
  await fs.mkdir(folder);
  speechWav(path.join(folder, 'already-here.wav'), 'this file was here before watching');
  d = await open();
  await d.license.set(await devKey());
});

after(async () => {
  await d?.dispose();
  await fs.rm(home, { recursive: true, force: true });
});

test('a missing folder is reported, not watched', async () => {
  await d.settings.update({ watch: { enabled: true, folder: path.join(home, 'nowhere') } });
  const s = await until('the error', async () => ((await status()).error ? status() : undefined), 5000);
  assert.equal(s.running, false);
  assert.match(s.error ?? '', /does not exist/);
});

test('a new file is transcribed and its transcript written beside it; old and other files are left alone', async () => {
  await d.settings.update({ watch: { enabled: true, folder, format: 'srt' } });
  await until('watching', async () => ((await status()).running ? true : undefined), 5000);
  // Copied in the way a recorder or a sync client does: first part, then the rest.
  const made = speechWav(path.join(home, 'made.wav'), 'a new recording in the watched folder');
  const bytes = await fs.readFile(made);
  const target = path.join(folder, 'new-recording.wav');
  await fs.writeFile(target, bytes.subarray(0, 1000));
  await new Promise((r) => setTimeout(r, 150));
  await fs.appendFile(target, bytes.subarray(1000));
  await fs.writeFile(path.join(folder, 'notes.txt'), 'not media');

  const srt = path.join(folder, 'new-recording.srt');
  await until('the .srt beside the file', () => existsSync(srt) || undefined);
  assert.match(await fs.readFile(srt, 'utf8'), /^1\r?\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}/);
  const fromFolder = d.jobs.list().filter((j) => j.source.value.startsWith(folder));
  assert.deepEqual(
    fromFolder.map((j) => j.source.name),
    ['new-recording.wav'],
    'only the new media file was queued, once, and only after it was complete',
  );
  assert.equal(fromFolder[0].stage, 'done');
  const t = await d.library.get(fromFolder[0].transcriptId!);
  assert.ok(t.duration > 1, `the whole file was transcribed (${t.duration} s)`);
  assert.equal(existsSync(path.join(folder, 'already-here.srt')), false);
  const s = await status();
  assert.equal(s.queued, 1);
  assert.equal(s.lastExport, srt);
});

test('after a restart nothing is transcribed again; a second file with the same name gets its own transcript file', async () => {
  await d.dispose();
  d = await open();
  await until('watching', async () => ((await status()).running ? true : undefined), 5000);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(d.jobs.list().filter((j) => j.stage !== 'done').length, 0, 'no new work after the restart');
  // The .srt exists: a new file with the same base name must not overwrite it.
  // (WAV contents under another media name: the decoder goes by the contents.)
  await fs.copyFile(path.join(home, 'made.wav'), path.join(folder, 'new-recording.flac'));
  const second = path.join(folder, 'new-recording (2).srt');
  await until('a second transcript file', () => existsSync(second) || undefined);
  assert.ok(existsSync(path.join(folder, 'new-recording.srt')), 'the first one is untouched');
});

test('turning it off stops watching', async () => {
  await d.settings.update({ watch: { enabled: false } });
  await until('stopped', async () => ((await status()).running ? undefined : true), 5000);
  speechWav(path.join(folder, 'after-off.wav'), 'nobody is watching');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(
    d.jobs.list().some((j) => j.source.name === 'after-off.wav'),
    false,
  );
});

test('auto-export writes every finished transcript into the chosen folder, never over an existing file', async () => {
  const out = path.join(home, 'Exports');
  await fs.mkdir(out);
  await d.settings.update({ autoExport: { enabled: true, folder: out, format: 'txt' } });
  const wav = speechWav(path.join(home, 'Board call.wav'), 'the board agreed to the plan');
  await fs.writeFile(path.join(out, 'Board call.txt'), 'an older file with the same name');
  const r = await d.dispatch('jobs:addFiles', [[wav]]);
  assert.ok(r.ok);
  const written = path.join(out, 'Board call (2).txt');
  await until('the exported transcript', () => existsSync(written) || undefined);
  assert.ok((await fs.readFile(written, 'utf8')).trim().length > 0);
  assert.equal(await fs.readFile(path.join(out, 'Board call.txt'), 'utf8'), 'an older file with the same name');
  await d.settings.update({ autoExport: { enabled: false } });
});
