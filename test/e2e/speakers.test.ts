/**
 * Speakers in the desktop renderer, end to end (built UI in Chromium, real core): turn "Label speakers" on for a
 * dropped two-voice conversation and see a coloured speaker label on every segment (real transcription and
 * diarization); rename "Speaker 1" once for the whole transcript (saved, undoable), merge the other speaker into it,
 * and find the names in history and search. Each test opens its own app on its own data folder; the rename and merge
 * tests start from a two-speaker transcript written through the core, shaped as diarization leaves one.
 * Screenshots: test-results/speakers-*.png.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { Segment } from '../../electron/contract/api.ts';
import { buildConversation, writeWav } from '../../tools/diarize/conversation.ts';
import { demoModelAvailable, devKey } from '../app/fixtures.ts';
import { axeViolations, type Harness, screenshot, setChecked, withHarness } from './harness.ts';

const chipsText = async (h: Harness) =>
  (await h.page.getByTestId('segment').getByTestId('speaker-chip').allTextContents()).sort();

/** Six turns, alternating between two speakers, each word labelled like its segment. */
const TURNS = [
  'good morning everyone',
  'morning thanks for joining',
  'shall we start with the budget',
  'yes the budget is ready',
  'then the schedule next',
  'the schedule slipped a week',
];

/** A fresh licensed app with a diarized two-speaker transcript open. */
async function withSpeakers(run: (h: Harness, transcriptId: string) => Promise<void>): Promise<void> {
  let id = '';
  await withHarness(
    {
      prefix: 'earshot-e2e-speakers-',
      beforeLoad: async (desktop) => {
        await desktop.license.set(await devKey());
        const segments: Segment[] = TURNS.map((text, i) => {
          const speaker = `Speaker ${(i % 2) + 1}`;
          return {
            id: i,
            start: i * 3,
            end: i * 3 + 2.5,
            text,
            speaker,
            words: text.split(' ').map((word, k) => ({
              word,
              start: i * 3 + k * 0.4,
              end: i * 3 + k * 0.4 + 0.3,
              confidence: 0.9,
              speaker,
            })),
            avgLogprob: -0.1,
            noSpeechProb: 0,
          };
        });
        const t = await desktop.library.create({
          title: 'Planning call',
          duration: 18,
          language: 'en',
          model: 'test',
          segments,
          diarization: { method: 'classical', approximate: true, speakers: ['Speaker 1', 'Speaker 2'] },
        });
        id = t.id;
      },
    },
    async (h) => {
      await h.page.getByTestId('dropzone').waitFor();
      await h.sendCommand({ type: 'navigate', view: 'history' });
      await h.page.getByRole('button', { name: /^Planning call/ }).click();
      await h.page.getByTestId('speakers-bar').waitFor();
      await run(h, id);
    },
  );
}

test('"Label speakers" on a dropped conversation gives every segment a coloured speaker', {
  skip: !demoModelAvailable(),
}, () => {
  let wav = '';
  return withHarness(
    {
      prefix: 'earshot-e2e-speakers-',
      prepare: (home) => {
        wav = path.join(home, 'meeting.wav');
        writeWav(wav, buildConversation({ seed: 351, speakers: 2, turns: 8 }).samples);
      },
      beforeLoad: async (desktop) => {
        await desktop.license.set(await devKey());
      },
    },
    async (h) => {
      const { page } = h;
      await page.getByTestId('dropzone').waitFor();
      await h.setDropPaths({ 'meeting.wav': wav });
      await setChecked(page.getByTestId('job-diarize'), true);
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
      await job.getByRole('button', { name: 'Open transcript' }).click();
      await page.getByTestId('speakers-bar').waitFor();
      const chips = await chipsText(h);
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
    },
  );
});

test('rename a speaker once for the whole transcript: saved, and undone with Ctrl+Z', () =>
  withSpeakers(async (h, transcriptId) => {
    const { page } = h;
    const before = (await chipsText(h)).filter((c) => c === 'Speaker 1').length;
    assert.equal(before, 3);
    await page.getByRole('button', { name: 'Rename or merge Speaker 1' }).click();
    await page.getByLabel('New name for Speaker 1').fill('Ada Lovelace');
    await page.getByRole('button', { name: 'Rename', exact: true }).click();
    await page.getByTestId('segment').getByText('Ada Lovelace').first().waitFor();
    const after = await chipsText(h);
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
    assert.ok(!(await chipsText(h)).includes('Ada Lovelace'));
    await page.keyboard.press('Control+Shift+z');
    await page.getByTestId('segment').getByText('Ada Lovelace').first().waitFor();
  }));

test('merge two speakers; history and search show the names', () =>
  withSpeakers(async (h, transcriptId) => {
    const { page } = h;
    await page.getByRole('button', { name: 'Rename or merge Speaker 2' }).click();
    await page.getByLabel('Merge Speaker 2 into another speaker').selectOption('Speaker 1');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid=segment] [data-testid=speaker-chip]')].every(
        (e) => e.textContent === 'Speaker 1',
      ),
    );
    await waitForSaved(
      () => h.desktop.library.get(transcriptId),
      (t) => t.segments.every((s) => s.speaker === 'Speaker 1'),
    );
    await page.keyboard.press('Control+z');
    await page.getByTestId('segment').getByText('Speaker 2').first().waitFor();
    await waitForSaved(
      () => h.desktop.library.get(transcriptId),
      (t) => t.segments.some((s) => s.speaker === 'Speaker 2'),
    );

    await page.getByRole('button', { name: 'History' }).first().click();
    const item = page.getByTestId('history-item').first();
    await item.getByText('Speaker 1').waitFor();
    await item.getByText('Speaker 2').waitFor();
    await page.getByRole('searchbox').fill('budget');
    await page.locator('.hit').first().getByTestId('speaker-chip').waitFor();
    await screenshot(page, 'speakers-03-history');
  }));

async function waitForSaved<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok(await read())) {
    if (Date.now() > deadline) throw new Error('the edit was not saved');
    await new Promise((r) => setTimeout(r, 100));
  }
}
