/**
 * History at scale and the Trash, end to end (built UI in Chromium, real core). Each test has its own data folder and
 * app: transcripts are written as files before the app opens (as years of use leave them), so nothing here waits on
 * inference.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { writeHistory } from '../../tools/bench/history-data.ts';
import { tempHome } from '../app/fixtures.ts';
import { axeViolations, type Harness, screenshot, startHarness } from './harness.ts';

async function withApp(count: number, run: (h: Harness) => Promise<void>): Promise<void> {
  const home = await tempHome('earshot-e2e-history-');
  // Short transcripts: the list's length is what matters here (bench:history measures ten-minute ones).
  await writeHistory(path.join(home, 'transcripts'), count, 10);
  const h = await startHarness(home);
  try {
    await h.page.locator('[data-testid=dropzone], [data-testid=welcome]').first().waitFor();
    await run(h);
    assert.deepEqual(h.pageErrors, []);
  } finally {
    await h.close();
    await fs.rm(home, { recursive: true, force: true });
  }
}

test('History with 400 transcripts is windowed: few rows in the page, all reachable by scrolling and search', async () => {
  await withApp(400, async (h) => {
    const { page } = h;
    await h.sendCommand({ type: 'navigate', view: 'history' });
    const items = page.getByTestId('history-item');
    await items.first().waitFor();
    // Newest first.
    assert.match((await items.first().textContent()) ?? '', /^Recording 399/);
    const rendered = await items.count();
    assert.ok(rendered > 3 && rendered < 60, `${rendered} rows in the page`);
    await page.locator('.vlist').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await page.getByRole('button', { name: 'Rename Recording 0', exact: true }).waitFor();
    assert.ok((await items.count()) < 60);
    // Search runs in the core's worker and finds the one transcript with the rare word.
    await page.getByLabel('Search all transcripts').fill('Zanzibar');
    await page.getByRole('status').getByText('1 match').waitFor();
    await page.getByRole('button', { name: /^Recording 200/ }).waitFor();
    await screenshot(page, 'history-windowed');
  });
});

test('History asks the core only for the rows in view (pages of 50), and stays right after a delete and scrolling', async () => {
  await withApp(400, async (h) => {
    const { page } = h;
    // Record what the window asks the core for (window.earshot is read at each call).
    await page.evaluate(() => {
      const w = window as unknown as { earshot: Record<string, Record<string, unknown>>; __asked: unknown[][] };
      w.__asked = [];
      const t = w.earshot.transcripts;
      for (const m of ['list', 'page']) {
        const real = t[m] as (...a: unknown[]) => Promise<unknown>;
        t[m] = (...a: unknown[]) => {
          w.__asked.push([m, ...a]);
          return real(...a);
        };
      }
    });
    await h.sendCommand({ type: 'navigate', view: 'history' });
    const items = page.getByTestId('history-item');
    await items.first().waitFor();
    const asked = () => page.evaluate(() => (window as unknown as { __asked: [string, ...number[]][] }).__asked);
    const first = await asked();
    assert.ok(first.length > 0 && first.every(([m]) => m === 'page'), JSON.stringify(first));
    assert.ok(
      first.every(([, offset, limit]) => offset === 0 && limit === 50),
      JSON.stringify(first),
    );

    await page.getByRole('button', { name: 'Delete Recording 398', exact: true }).click();
    await items.filter({ hasText: 'Recording 398' }).waitFor({ state: 'detached' });
    const titles = async () =>
      (
        await page
          .getByRole('button', { name: /^Rename / })
          .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))
      ).map((l) => l?.replace(/^Rename /, ''));
    assert.deepEqual((await titles()).slice(0, 3), ['Recording 399', 'Recording 397', 'Recording 396']);
    // To the end: the last page is asked for (one of the newer list), Recording 0 shows once, nothing twice.
    await page.locator('.vlist').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await page.getByRole('button', { name: 'Rename Recording 0', exact: true }).waitFor();
    const end = await titles();
    assert.equal(new Set(end).size, end.length, JSON.stringify(end));
    assert.equal(end.at(-1), 'Recording 0');
    assert.ok(!end.includes('Recording 398'));
    const all = await asked();
    assert.ok(
      all.every(([m, , limit]) => m === 'page' && limit === 50),
      JSON.stringify(all),
    );
    assert.ok(
      all.some(([, offset]) => offset === 350),
      'the last page',
    );
    assert.ok(all.length < 12, `${all.length} pages asked for`);
  });
});

test('Trash: a deleted transcript is listed with its purge date, restored, deleted again and deleted forever', async () => {
  await withApp(3, async (h) => {
    const { page } = h;
    await h.sendCommand({ type: 'navigate', view: 'history' });
    const items = page.getByTestId('history-item');
    await items.first().waitFor();
    await page.getByRole('button', { name: 'Delete Recording 1' }).click();
    await items.filter({ hasText: 'Recording 1' }).waitFor({ state: 'detached' });
    // The Trash view, from the sidebar.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Trash' }).click();
    await page.getByRole('heading', { name: 'Trash' }).waitFor();
    const trashed = page.getByTestId('trash-item');
    await trashed.first().waitFor();
    assert.equal(await trashed.count(), 1);
    const purge = new Date(Date.now() + 7 * 86400_000);
    const text = (await trashed.textContent()) ?? '';
    assert.match(text, /Recording 1/);
    assert.ok(text.includes(String(purge.getDate())) && text.includes(String(purge.getFullYear())), text);
    await screenshot(page, 'trash');
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], JSON.stringify(violations, null, 1));

    await page.getByRole('button', { name: 'Restore Recording 1' }).click();
    await page.getByText('The trash is empty').waitFor();
    await page.getByRole('button', { name: 'History', exact: true }).first().click();
    await items.filter({ hasText: 'Recording 1' }).waitFor();
    assert.equal(await items.count(), 3);

    await page.getByRole('button', { name: 'Delete Recording 1' }).click();
    await items.filter({ hasText: 'Recording 1' }).waitFor({ state: 'detached' });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Trash' }).click();
    await page.getByRole('button', { name: 'Delete forever: Recording 1' }).click();
    // Asked once more, in place; "Keep" leaves it.
    await page.getByRole('button', { name: 'Keep' }).click();
    assert.equal(await trashed.count(), 1);
    await page.getByRole('button', { name: 'Delete forever: Recording 1' }).click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByText('The trash is empty').waitFor();
    const file = path.join(h.home, 'transcripts', '.trash', 'bench-000001.json');
    assert.equal(existsSync(file), false, 'deleted from disk');
    assert.deepEqual(await h.desktop.library.listTrash(), []);
    assert.deepEqual((await h.desktop.library.list()).map((t) => t.title).sort(), ['Recording 0', 'Recording 2']);
  });
});

test('a title typed just before Undo edit is kept, round after round (writes to one transcript are serialised)', async () => {
  await withApp(0, async (h) => {
    const { page } = h;
    const seg = (id: number, text: string) => ({
      id,
      start: id * 3,
      end: id * 3 + 2,
      text,
      avgLogprob: -0.1,
      noSpeechProb: 0,
    });
    const t = await h.desktop.library.create({
      title: 'Weekly sync',
      duration: 9,
      language: 'en',
      model: 'Demo',
      segments: [seg(0, 'first words here'), seg(1, 'second words here')],
    });
    await h.sendCommand({ type: 'navigate', view: 'history' });
    await page.getByRole('button', { name: /^Weekly sync/ }).click();
    const segment = page.getByTestId('segment').first();
    await segment.waitFor();
    for (let round = 1; round <= 5; round++) {
      await segment.getByRole('button', { name: /^Edit text at/ }).click();
      await segment.getByRole('textbox').fill(`edited in round ${round}`);
      await segment.getByRole('textbox').press('Enter');
      await segment.getByText(`edited in round ${round}`).waitFor();
      // The title is saved when the field loses focus, which clicking Undo edit does: both writes race.
      await page.getByLabel('Transcript title').fill(`Title ${round}`);
      await page.getByRole('button', { name: 'Undo edit' }).click();
      await segment.getByText('first words here').waitFor();
      // Both writes must land: a lost one stays lost, so poll the stored file until both show (or give up and fail).
      const want = (x: { title: string; segments: { text: string }[] }) =>
        x.title === `Title ${round}` && x.segments[0].text === 'first words here';
      let stored = await h.desktop.library.get(t.id);
      for (let i = 0; i < 50 && !want(stored); i++) {
        await new Promise((r) => setTimeout(r, 100));
        stored = await h.desktop.library.get(t.id);
      }
      assert.equal(stored.title, `Title ${round}`, `round ${round}`);
      assert.equal(stored.segments[0].text, 'first words here', `round ${round}`);
    }
  });
});
