/**
 * When long work ends (issue 22): "Show in folder" for a finished transcript, "Export all" of the queue into a folder
 * with progress and a summary of failures, and the core's check of what may be revealed. Built renderer in Chromium,
 * real core and real transcription; the native folder picker and shell.showItemInFolder are the only stand-ins (the
 * harness records what would be revealed), and the exported files are real files read back here.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Result } from '../../electron/contract/api.ts';
import { speechWav, tempHome } from '../app/fixtures.ts';
import { axeViolations, type Harness, licenseAndRunner, screenshot, startHarness } from './harness.ts';

let h: Harness;
let home: string;
let outside: string;
let picked: string | undefined;
const revealed: string[] = [];
const ids: Record<string, string> = {};

const row = (name: string, stage?: string) =>
  h.page.locator(`[data-testid=job]${stage ? `[data-stage=${stage}]` : ''}`, { hasText: name });

/** Calls the contract from the page, as the renderer does. */
function inPage<T>(fn: string, ...args: unknown[]): Promise<Result<T>> {
  return h.page.evaluate(
    ([f, a]) => {
      const [service, method] = (f as string).split('.');
      const api = (window as unknown as { earshot: Record<string, Record<string, (...x: unknown[]) => unknown>> })
        .earshot;
      return api[service][method](...(a as unknown[])) as Promise<Result<T>>;
    },
    [fn, args] as const,
  );
}

before(async () => {
  home = await tempHome('earshot-polish-export-');
  outside = await tempHome('earshot-polish-out-');
  h = await startHarness(home, {
    desktop: {
      pickFolder: async () => picked,
      revealInFolder: async (file) => {
        revealed.push(file);
      },
    },
    beforeLoad: async (desktop) => {
      await licenseAndRunner(desktop);
    },
  });
  await h.page.getByTestId('dropzone').waitFor();
  const files: Record<string, string> = {};
  for (const [name, text] of [
    ['alpha.wav', 'the first recording of the day'],
    ['bravo.wav', 'the second recording of the day'],
    ['charlie.wav', 'a third one that gets deleted'],
  ]) {
    files[name] = speechWav(path.join(home, name), text);
  }
  await h.setDropPaths(files);
  await h.drop(Object.keys(files));
  for (const name of Object.keys(files)) {
    await row(name, 'done').waitFor({ timeout: 180_000 });
    ids[name] = h.jobEvents.findLast((j) => j.source.name === name && j.transcriptId)!.transcriptId!;
  }
  // One transcript deleted since its job finished: Export all reports it instead of stopping.
  assert.ok((await h.desktop.dispatch('transcripts:remove', [ids['charlie.wav']])).ok);
  // The queue re-reads which transcripts exist when it opens.
  await h.sendCommand({ type: 'navigate', view: 'settings' });
  await h.page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
  await h.sendCommand({ type: 'navigate', view: 'queue' });
  await row('charlie.wav').getByTestId('transcript-gone').waitFor();
});

after(async () => {
  await h?.close();
  await fs.rm(home, { recursive: true, force: true });
  await fs.rm(outside, { recursive: true, force: true });
});

test('Show in folder on a finished job reveals its transcript in the data folder', async () => {
  const before = revealed.length;
  await row('alpha.wav').getByRole('button', { name: 'Show in folder' }).click();
  const until = Date.now() + 10_000;
  while (revealed.length === before && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  const expected = await fs.realpath(path.join(home, 'transcripts', `${ids['alpha.wav']}.json`));
  assert.deepEqual(revealed.slice(before), [expected]);
  // A deleted transcript offers no Show in folder.
  assert.equal(await row('charlie.wav').getByRole('button', { name: 'Show in folder' }).count(), 0);
});

test('the core reveals only files in the data folder or exported by the app', async () => {
  const stranger = path.join(outside, 'not-ours.txt');
  await fs.writeFile(stranger, 'a file Earshot never wrote');
  const link = path.join(home, 'link-out.txt');
  await fs.symlink(stranger, link);
  const before = revealed.length;
  for (const [p, why] of [
    [stranger, /only files in the data folder or exported/],
    [path.join(home, '..', path.basename(outside), 'not-ours.txt'), /only files in the data folder or exported/],
    [link, /only files in the data folder or exported/],
    ['transcripts/x.json', /absolute/],
    [path.join(home, 'nothing-here.json'), /no longer exists/],
    [path.join(home, 'transcripts'), /not a file/],
  ] as const) {
    const r = await inPage<void>('system.reveal', p);
    assert.equal(r.ok, false, `${p} must be refused`);
    assert.equal(!r.ok && r.error.code, 'INVALID_PARAMETER');
    assert.match(!r.ok ? r.error.message : '', why, p);
  }
  assert.equal(revealed.length, before, 'nothing refused reached the file manager');
  const own = path.join(home, 'transcripts', `${ids['bravo.wav']}.json`);
  const shown = await inPage<void>('system.reveal', own);
  assert.ok(shown.ok, JSON.stringify(shown));
  assert.deepEqual(revealed.slice(before), [await fs.realpath(own)]);
  // A batch the core did not start cannot name a folder.
  const forged = await inPage<string>('exports.write', '0b7d8a52-5d2e-4f55-9d59-2a8f4b1f0c11', ids['alpha.wav'], 'txt');
  assert.equal(!forged.ok && forged.error.code, 'INVALID_PARAMETER');
  const malformed = await inPage<string>('exports.write', '../etc', ids['alpha.wav'], 'txt');
  assert.equal(!malformed.ok && malformed.error.code, 'INVALID_PARAMETER');
  assert.equal(await inPage('transcripts.reveal', ids['charlie.wav']).then((r) => r.ok), false);
});

test('Export all: a cancelled picker writes nothing', async () => {
  const { page } = h;
  await page.getByRole('button', { name: 'Export all…' }).click();
  picked = undefined;
  await page.getByRole('button', { name: /Choose folder and export/ }).click();
  await page.waitForTimeout(300);
  assert.equal(await page.getByTestId('export-all-status').count(), 0);
  assert.deepEqual(await fs.readdir(outside), ['not-ours.txt']);
});

test('Export all writes every finished transcript into the chosen folder, with progress and the failures', async () => {
  const { page } = h;
  const folder = path.join(outside, 'subtitles');
  await fs.mkdir(folder);
  // A file of the same name already there is kept: the export takes the next free name.
  await fs.writeFile(path.join(folder, 'alpha.srt'), 'keep me');
  picked = folder;
  await page.getByLabel('Format').selectOption('srt');
  await page.getByRole('button', { name: 'Choose folder and export 3' }).click();
  await page.getByText(`Exported 2 of 3 to ${folder} · 1 failed`).waitFor({ timeout: 30_000 });
  const progress = page.getByTestId('export-all-progress');
  assert.equal(await progress.evaluate((p: HTMLProgressElement) => [p.value, p.max].join('/')), '3/3');
  const failed = page.getByTestId('export-all-failed');
  assert.match((await failed.textContent()) ?? '', /charlie\.wav: .*not found/i);
  assert.deepEqual((await fs.readdir(folder)).sort(), ['alpha (2).srt', 'alpha.srt', 'bravo.srt']);
  assert.equal(await fs.readFile(path.join(folder, 'alpha.srt'), 'utf8'), 'keep me');
  for (const name of ['alpha (2).srt', 'bravo.srt']) {
    const srt = await fs.readFile(path.join(folder, name), 'utf8');
    assert.match(srt, /^1\r?\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\r?\n\S/, `${name}:\n${srt}`);
  }
  await screenshot(page, 'export-all');
  assert.deepEqual(await axeViolations(page), []);

  // The exported file, outside the data folder, may now be revealed; its neighbour that the app did not write may not.
  const before = revealed.length;
  await page.getByTestId('export-all').getByRole('button', { name: 'Show in folder' }).click();
  const until = Date.now() + 10_000;
  while (revealed.length === before && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(revealed.slice(before), [await fs.realpath(path.join(folder, 'alpha (2).srt'))]);
  assert.equal((await inPage('system.reveal', path.join(folder, 'alpha.srt'))).ok, false);
  // A finished transcript's Show in folder now shows its newest export.
  await row('bravo.wav').getByRole('button', { name: 'Show in folder' }).click();
  const until2 = Date.now() + 10_000;
  while (revealed.length === before + 1 && Date.now() < until2) await new Promise((r) => setTimeout(r, 50));
  assert.equal(revealed.at(-1), await fs.realpath(path.join(folder, 'bravo.srt')));
});

test('no errors or warnings in the page console', () => {
  assert.deepEqual(h.pageErrors, []);
});
