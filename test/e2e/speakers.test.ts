/**
 * Speakers in the desktop renderer, end to end (built UI in Chromium, real core): turn "Label speakers" on for a
 * dropped two-voice conversation, see a coloured speaker label on every segment, rename "Speaker 1" once for the
 * whole transcript (saved, undoable), merge the other speaker into it, and find the names in history and search.
 * Screenshots: test-results/speakers-*.png.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { buildConversation, writeWav } from '../../tools/diarize/conversation.ts';
import { demoModelAvailable, devKey, tempHome } from '../app/fixtures.ts';
import { axeViolations, type Harness, screenshot, startHarness } from './harness.ts';

let h: Harness;
let home: string;
let transcriptId: string;

before(async () => {
  home = await tempHome('earshot-e2e-speakers-');
  const wav = path.join(home, 'meeting.wav');
  writeWav(wav, buildConversation({ seed: 351, speakers: 2, turns: 8 }).samples);
  h = await startHarness(home, {
    beforeLoad: async (desktop) => {
      await desktop.license.set(await devKey());
    },
  });
  await h.setDropPaths({ 'meeting.wav': wav });
});

after(async () => {
  await h?.close();
  await fs.rm(home, { recursive: true, force: true });
});

const chipsText = async () =>
  (await h.page.getByTestId('segment').getByTestId('speaker-chip').allTextContents()).sort();

test('"Label speakers" on a dropped conversation gives every segment a coloured speaker', {
  skip: !demoModelAvailable(),
}, async () => {
  const { page } = h;
  await page.getByTestId('dropzone').waitFor();
  await page.getByTestId('job-diarize').check();
  await page.getByLabel('Number of speakers').selectOption('2');
  await h.drop(['meeting.wav']);
  const job = page.getByTestId('job').filter({ hasText: 'meeting.wav' });
  await job
    .locator('[data-stage=done]')
    .or(job.and(page.locator('[data-stage=done]')))
    .first()
    .waitFor({ timeout: 120_000 });
  const events = h.jobEvents.filter((j) => j.source.name === 'meeting.wav');
  assert.equal(events[0].settings.diarize, true);
  assert.equal(events[0].settings.numSpeakers, 2);
  transcriptId = events.at(-1)!.transcriptId!;
  await job.getByRole('button', { name: 'Open transcript' }).click();
  await page.getByTestId('speakers-bar').waitFor();
  const chips = await chipsText();
  assert.ok(chips.length >= 4, `speaker chips: ${chips}`);
  assert.deepEqual([...new Set(chips)], ['Speaker 1', 'Speaker 2']);
  // One colour per speaker, the same on every segment.
  const classes = await page
    .getByTestId('segment')
    .getByTestId('speaker-chip')
    .evaluateAll((els) => els.map((e) => `${e.textContent}=${e.className}`));
  assert.equal(new Set(classes).size, 2, classes.join(' | '));
  await page.getByTestId('speakers-approximate').waitFor();
  await screenshot(page, 'speakers-01-transcript');
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], JSON.stringify(violations, null, 1));
});

test('rename a speaker once for the whole transcript: saved, and undone with Ctrl+Z', {
  skip: !demoModelAvailable(),
}, async () => {
  const { page } = h;
  const before = (await chipsText()).filter((c) => c === 'Speaker 1').length;
  await page.getByRole('button', { name: 'Rename or merge Speaker 1' }).click();
  await page.getByLabel('New name for Speaker 1').fill('Ada Lovelace');
  await page.getByRole('button', { name: 'Rename', exact: true }).click();
  await page.getByTestId('segment').getByText('Ada Lovelace').first().waitFor();
  const after = await chipsText();
  assert.equal(after.filter((c) => c === 'Ada Lovelace').length, before, 'every segment of the speaker follows');
  assert.ok(!after.includes('Speaker 1'));
  await screenshot(page, 'speakers-02-renamed');
  // Saved like any edit: the library on disk has the new name, on words too.
  await waitForSaved(
    () => h.desktop.library.get(transcriptId),
    (t) => t.segments.some((s) => s.speaker === 'Ada Lovelace'),
  );
  const saved = await h.desktop.library.get(transcriptId);
  for (const s of saved.segments.filter((x) => x.speaker === 'Ada Lovelace')) {
    for (const w of s.words ?? []) assert.equal(w.speaker, 'Ada Lovelace');
  }
  await page.keyboard.press('Control+z');
  await page.getByTestId('segment').getByText('Speaker 1').first().waitFor();
  assert.ok(!(await chipsText()).includes('Ada Lovelace'));
  await page.keyboard.press('Control+Shift+z');
  await page.getByTestId('segment').getByText('Ada Lovelace').first().waitFor();
});

test('merge two speakers; history and search show the names', { skip: !demoModelAvailable() }, async () => {
  const { page } = h;
  await page.getByRole('button', { name: 'Rename or merge Speaker 2' }).click();
  await page.getByLabel('Merge Speaker 2 into another speaker').selectOption('Ada Lovelace');
  await page.waitForFunction(() =>
    [...document.querySelectorAll('[data-testid=segment] [data-testid=speaker-chip]')].every(
      (e) => e.textContent === 'Ada Lovelace',
    ),
  );
  await waitForSaved(
    () => h.desktop.library.get(transcriptId),
    (t) => t.segments.every((s) => s.speaker === 'Ada Lovelace'),
  );
  await page.keyboard.press('Control+z');
  await page.getByTestId('segment').getByText('Speaker 2').first().waitFor();
  await waitForSaved(
    () => h.desktop.library.get(transcriptId),
    (t) => t.segments.some((s) => s.speaker === 'Speaker 2'),
  );

  await page.getByRole('button', { name: 'History' }).first().click();
  const item = page.getByTestId('history-item').first();
  await item.getByText('Ada Lovelace').waitFor();
  await item.getByText('Speaker 2').waitFor();
  const firstWord = (await h.desktop.library.get(transcriptId)).segments[0].text.trim().split(' ')[0];
  await page.getByRole('searchbox').fill(firstWord);
  await page.locator('.hit').first().getByTestId('speaker-chip').waitFor();
  await screenshot(page, 'speakers-03-history');
  assert.deepEqual(h.pageErrors, []);
});

async function waitForSaved<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok(await read())) {
    if (Date.now() > deadline) throw new Error('the edit was not saved');
    await new Promise((r) => setTimeout(r, 100));
  }
}
