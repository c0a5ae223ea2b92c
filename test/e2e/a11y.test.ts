/**
 * Accessibility across window sizes and themes (issue 22): axe-core finds no serious or critical violation on any
 * screen (Record included, with its interrupted recordings and an error shown) at 800×600, 1200×800 and 1920×1080,
 * light and dark; every navigation moves the focus to the new screen's heading; and a clamped setting says so.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { devKey, speechWav } from '../app/fixtures.ts';
import { axeViolations, type Harness, withHarness } from './harness.ts';

/**
 * A fresh licensed app on its own data folder, in the given theme and window size, with one transcript over real
 * media in History (so tests run alone or in any order).
 */
async function withApp(
  options: { theme?: 'light' | 'dark'; viewport?: { width: number; height: number } },
  run: (h: Harness) => Promise<void>,
): Promise<void> {
  let media = '';
  await withHarness(
    {
      prefix: 'earshot-a11y-',
      viewport: options.viewport,
      prepare: (home) => {
        media = speechWav(path.join(home, 'short.wav'), 'a short recording for the accessibility check');
      },
      beforeLoad: async (desktop) => {
        await desktop.license.set(await devKey());
        if (options.theme) await desktop.dispatch('settings:update', [{ theme: options.theme }]);
        await desktop.library.create({
          title: 'Accessible transcript',
          duration: 3,
          language: 'en',
          model: 'test',
          mediaPath: media,
          segments: [0, 1, 2].map((i) => ({
            id: i,
            start: i,
            end: i + 0.9,
            text: `sentence ${i} is here`,
            words: ['sentence', String(i), 'is', 'here'].map((word, k) => ({
              word,
              start: i + k * 0.2,
              end: i + k * 0.2 + 0.15,
              confidence: k === 1 ? 0.3 : 0.9,
            })),
            avgLogprob: -0.1,
            noSpeechProb: 0,
          })),
        });
        // The Record screen lists recordings cut short, with their actions: part of what axe checks there.
        await desktop.library.create({
          title: 'Morning notes (interrupted)',
          duration: 3,
          language: 'en',
          model: 'test',
          mediaPath: media,
          segments: [],
        });
      },
    },
    async (h) => {
      await h.page.getByTestId('dropzone').waitFor();
      await run(h);
      assert.deepEqual(h.pageErrors, [], 'no errors or warnings in the page console');
    },
  );
}

const SCREENS = [
  { view: 'queue', heading: 'Transcribe' },
  { view: 'history', heading: 'History' },
  { view: 'settings', heading: 'Settings' },
  { view: 'record', heading: 'Record' },
] as const;

for (const theme of ['light', 'dark'] as const) {
  for (const [width, height] of [
    [800, 600],
    [1200, 800],
    [1920, 1080],
  ]) {
    test(`no serious or critical axe violation at ${width}×${height}, ${theme} theme`, () =>
      withApp({ theme, viewport: { width, height } }, async (h) => {
        const { page } = h;
        const found: Record<string, unknown> = {};
        for (const s of SCREENS) {
          await h.sendCommand({ type: 'navigate', view: s.view });
          await page.getByRole('heading', { level: 1, name: s.heading }).waitFor();
          await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme);
          const v = await axeViolations(page);
          if (v.length) found[s.view] = v;
        }
        // The Record screen with its interrupted recordings and an error (this page has no microphone to open).
        await h.sendCommand({ type: 'navigate', view: 'record' });
        await page.getByTestId('interrupted-recording').waitFor();
        await page.getByRole('button', { name: 'Start recording' }).click();
        await page.getByTestId('record-error').waitFor();
        const rec = await axeViolations(page);
        if (rec.length) found['record-error'] = rec;
        await h.sendCommand({ type: 'navigate', view: 'history' });
        await page.getByRole('button', { name: /^Accessible transcript/ }).click();
        await page.getByTestId('segment').first().waitFor();
        const v = await axeViolations(page);
        if (v.length) found.transcript = v;
        assert.deepEqual(found, {});
      }));
  }
}

test('every navigation moves the focus to the new screen’s heading; the transcript has a top-level heading', () =>
  withApp({}, async (h) => {
    const { page } = h;
    for (const s of SCREENS) {
      await h.sendCommand({ type: 'navigate', view: s.view });
      await page.waitForFunction(
        (name) => document.activeElement?.tagName === 'H1' && document.activeElement.textContent === name,
        s.heading,
      );
    }
    await h.sendCommand({ type: 'navigate', view: 'history' });
    await page.getByRole('button', { name: /^Accessible transcript/ }).click();
    await page.waitForFunction(
      () => document.activeElement?.tagName === 'H1' && document.activeElement.textContent === 'Accessible transcript',
    );
    // Tab from the heading reaches the screen's controls.
    await page.keyboard.press('Tab');
    assert.notEqual(await page.evaluate(() => document.activeElement?.tagName), 'BODY');
  }));

test('a clamped setting says so (threads 999 → 256)', () =>
  withApp({}, async (h) => {
    const { page } = h;
    await h.sendCommand({ type: 'navigate', view: 'settings' });
    const threads = page.getByLabel('CPU threads');
    await threads.fill('999');
    await threads.blur();
    await page.getByText(/256 is the most/).waitFor();
    assert.equal(await threads.inputValue(), '256');
    // Saved through the contract (asynchronously).
    const threadsSaved = async () => {
      const stored = await h.desktop.dispatch('settings:get', []);
      assert.ok(stored.ok);
      return (stored.value as { threads: number }).threads;
    };
    for (let i = 0; i < 100 && (await threadsSaved()) !== 256; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await threadsSaved(), 256);
  }));
