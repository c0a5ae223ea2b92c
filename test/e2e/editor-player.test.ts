/**
 * The transcript editor and player (issue 22): split, merge, delete and revert segments, stepping through
 * low-confidence words, speed, ±5 s, loop, the shortcut sheet, and Follow playback stepping aside while the user
 * scrolls. Built renderer in Chromium, real core, real media (espeak-ng speech) under a hand-made transcript. Each
 * test opens its own app on its own data folder, with the transcript as it was made, so tests run alone or in any order.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { Segment } from '../../electron/contract/api.ts';
import { devKey, speechWav } from '../app/fixtures.ts';
import { axeViolations, type Harness, screenshot, seekPlayer, withHarness } from './harness.ts';

const LOW = new Set(['4:1', '10:2']); // segment:word with low confidence

/** The app of the test that runs now (one at a time in a file). */
let h: Harness;
let home: string;
let id: string;
let original: Segment[];

/**
 * A fresh app whose "Editing session" transcript (one segment a second over real speech, three timed words each) is
 * open, its player ready to seek.
 */
async function withEditor(run: () => Promise<void>): Promise<void> {
  await withHarness(
    {
      prefix: 'earshot-editor-',
      prepare: (dir) => {
        home = dir;
      },
      beforeLoad: async (desktop) => {
        await desktop.license.set(await devKey());
        const media = speechWav(path.join(home, 'talk.wav'), 'the quick brown fox jumps over the lazy dog', 10);
        const seconds = (statSync(media).size - 44) / (22050 * 2);
        original = Array.from({ length: Math.floor(seconds) - 1 }, (_, i) => ({
          id: i,
          start: i,
          end: i + 0.8,
          text: `marker${i}x alpha beta`,
          words: [`marker${i}x`, 'alpha', 'beta'].map((word, k) => ({
            word,
            start: i + k * 0.3,
            end: i + k * 0.3 + 0.2,
            confidence: LOW.has(`${i}:${k}`) ? 0.2 : 0.9,
          })),
          avgLogprob: -0.1,
          noSpeechProb: 0,
        }));
        const t = await desktop.library.create({
          title: 'Editing session',
          duration: seconds,
          language: 'en',
          model: 'test',
          mediaPath: media,
          segments: original,
        });
        id = t.id;
      },
    },
    async (app) => {
      h = app;
      await h.page.getByTestId('dropzone').waitFor();
      await h.sendCommand({ type: 'navigate', view: 'history' });
      await h.page.getByRole('button', { name: /^Editing session/ }).click();
      await h.page.getByTestId('segment').first().waitFor();
      await h.page.waitForFunction(
        () => ((document.querySelector('[data-testid=player]') as HTMLMediaElement | null)?.readyState ?? 0) >= 1,
      );
      await run();
    },
  );
}

async function stored(): Promise<Segment[]> {
  return JSON.parse(await fs.readFile(path.join(home, 'transcripts', `${id}.json`), 'utf8')).segments;
}

/** Polls the saved file until `check` holds (saves go through the contract asynchronously). */
async function until(check: (s: Segment[]) => boolean): Promise<Segment[]> {
  let s = await stored();
  for (let i = 0; i < 50 && !check(s); i++) {
    await new Promise((r) => setTimeout(r, 100));
    s = await stored();
  }
  assert.ok(check(s), JSON.stringify(s.slice(0, 4).map((x) => x.text)));
  return s;
}

const segmentRow = (i: number) => h.page.locator(`[data-testid=segment][data-index="${i}"]`);
const playerTime = () => h.page.getByTestId('player').evaluate((el) => (el as HTMLMediaElement).currentTime);
const setTime = (t: number) => seekPlayer(h.page, t);

test('split a segment at the cursor: each half keeps its words and their times', () =>
  withEditor(async () => {
    const row = segmentRow(0);
    await row.getByRole('button', { name: /^Edit text at/ }).click();
    const box = row.getByRole('textbox');
    await box.evaluate((el) => {
      const t = el as HTMLTextAreaElement;
      t.setSelectionRange(9, 9); // after "marker0x "
    });
    await screenshot(h.page, 'editor-split');
    await row.getByRole('button', { name: 'Split at cursor' }).click();
    const s = await until((x) => x.length === original.length + 1);
    assert.equal(s[0].text, 'marker0x');
    assert.equal(s[1].text, 'alpha beta');
    assert.deepEqual(
      s[1].words?.map((w) => [w.word, w.start]),
      [
        ['alpha', 0.3],
        ['beta', 0.6],
      ],
    );
    assert.equal(s[0].end, 0.3);
    assert.equal(s[1].start, 0.3);
    assert.notEqual(s[1].id, s[0].id);
  }));

test('merge a segment with the next: text and words in order, times kept', () =>
  withEditor(async () => {
    const row = segmentRow(0);
    await row.getByRole('button', { name: /^Edit text at/ }).click();
    await row.getByRole('button', { name: 'Merge with next' }).click();
    const s = await until((x) => x.length === original.length - 1);
    assert.equal(s[0].text, 'marker0x alpha beta marker1x alpha beta');
    assert.deepEqual(
      s[0].words?.map((w) => [w.word, w.start]),
      [...(original[0].words ?? []), ...(original[1].words ?? [])].map((w) => [w.word, w.start]),
    );
    assert.equal(s[0].start, original[0].start);
    assert.equal(s[0].end, original[1].end);
    assert.equal(s[1].text, original[2].text);
  }));

test('fix one word (the others keep their times), then revert the segment to the recognised text', () =>
  withEditor(async () => {
    const row = segmentRow(2);
    await row.getByRole('button', { name: /^Edit text at/ }).click();
    await row.getByRole('textbox').fill('marker2x alpha gamma');
    await row.getByRole('textbox').press('Enter');
    let s = await until((x) => x[2].text === 'marker2x alpha gamma');
    assert.deepEqual(
      s[2].words?.map((w) => [w.start, w.end]),
      original[2].words?.map((w) => [w.start, w.end]),
    );
    await row.getByRole('button', { name: /^Edit text at/ }).click();
    await row.getByRole('button', { name: 'Revert to recognised text' }).click();
    s = await until((x) => x[2].text === original[2].text);
    assert.deepEqual(s[2], original[2]);
    // Nothing left to revert: the button is not offered.
    await row.getByRole('button', { name: /^Edit text at/ }).click();
    assert.equal(await row.getByRole('button', { name: 'Revert to recognised text' }).count(), 0);
    await row.getByRole('textbox').press('Escape');
  }));

test('delete a segment, and Ctrl+Z brings it back', () =>
  withEditor(async () => {
    const row = segmentRow(3);
    await row.getByRole('button', { name: /^Edit text at/ }).click();
    await row.getByRole('button', { name: 'Delete segment' }).click();
    await until((x) => x.length === original.length - 1 && x[3].text === original[4].text);
    await h.page.locator('body').click({ position: { x: 5, y: 5 } });
    await h.page.keyboard.press('Control+z');
    await until((x) => x.length === original.length && x[3].text === original[3].text);
  }));

test('step through the low-confidence words: each is marked and the player goes there', () =>
  withEditor(async () => {
    const { page } = h;
    await page.getByRole('button', { name: 'Next low-confidence word' }).click();
    await page.getByTestId('low-position').getByText('1 of 2').waitFor();
    const first = segmentRow(4).locator('.word-focus');
    assert.equal(await first.textContent(), 'alpha');
    assert.ok(Math.abs((await playerTime()) - 4.3) < 0.05);
    await page.getByRole('button', { name: 'Next low-confidence word' }).click();
    await page.getByTestId('low-position').getByText('2 of 2').waitFor();
    assert.equal(await segmentRow(10).locator('.word-focus').textContent(), 'beta');
    assert.ok(Math.abs((await playerTime()) - 10.6) < 0.05);
  }));

test('player: speed, ±5 s, loop a segment, and the shortcut sheet', () =>
  withEditor(async () => {
    const { page } = h;
    await page.getByTestId('speed').selectOption('1.5');
    assert.equal(await page.getByTestId('player').evaluate((el) => (el as HTMLMediaElement).playbackRate), 1.5);
    await setTime(8.1);
    await page.getByRole('button', { name: '+5 s' }).click();
    assert.ok(Math.abs((await playerTime()) - 13.1) < 0.05);
    await page.getByRole('button', { name: '−5 s' }).click();
    await page.getByRole('button', { name: '−5 s' }).click();
    assert.ok(Math.abs((await playerTime()) - 3.1) < 0.05);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Alt+ArrowRight');
    assert.ok(Math.abs((await playerTime()) - 8.1) < 0.05);
    // Loop segment 8 (8.0–8.8): passing its end goes back to its start.
    await page.getByRole('button', { name: 'Loop segment' }).click();
    await setTime(8.85);
    await page.waitForFunction(
      () => Math.abs((document.querySelector('[data-testid=player]') as HTMLMediaElement).currentTime - 8) < 0.05,
    );
    await page.getByRole('button', { name: 'Stop looping' }).click();
    await screenshot(page, 'player-speed');
    await page.getByRole('button', { name: 'Shortcuts' }).click();
    const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await sheet.getByText('Back or forward 5 seconds').waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await page.keyboard.press('Escape');
    await sheet.waitFor({ state: 'hidden' });
  }));

test('Follow playback steps aside while the user scrolls, and comes back on request', () =>
  withEditor(async () => {
    const { page } = h;
    const list = page.locator('.vlist');
    await setTime(15.1);
    await segmentRow(15).and(page.locator('.segment-active')).waitFor();
    // The user scrolls to the top with the wheel.
    await list.hover();
    await page.mouse.wheel(0, -5000);
    await page.waitForFunction(() => document.querySelector('.vlist')!.scrollTop === 0);
    await page.getByTestId('follow-resume').waitFor();
    await setTime(18.1);
    await page.waitForTimeout(300);
    assert.equal(await list.evaluate((el) => el.scrollTop), 0, 'the list stayed where the user put it');
    await page.getByTestId('follow-resume').click();
    await page.waitForFunction(() => document.querySelector('.vlist')!.scrollTop > 0);
    await segmentRow(18).waitFor();
  }));
