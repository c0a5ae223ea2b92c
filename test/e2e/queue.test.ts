/**
 * The Transcribe screen as a queue (issue 22): per-drop model, language and task (remembered; what the model cannot
 * do is disabled), the drop zone shrinking once jobs exist, Pause, Cancel all, Clear finished, and "GPU not used"
 * said once rather than on every row. Built renderer in Chromium, real core, real transcription.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { ModelView } from '../../electron/contract/api.ts';
import type { Desktop } from '../../electron/core/services.ts';
import { speechWav } from '../app/fixtures.ts';
import {
  axeViolations,
  type Harness,
  licenseAndRunner,
  screenshot,
  setChecked,
  transcribe,
  withHarness,
} from './harness.ts';

interface QueueApp {
  h: Harness;
  home: string;
  /** The installed models that can run a job; the default one runs them. */
  models: ModelView[];
  row(name: string, stage?: string): ReturnType<Harness['page']['locator']>;
}

/**
 * A fresh licensed app on its own data folder with two models installed (the demo and the Whisper fixture), the one
 * that runs jobs as default; `beforeLoad` prepares more through the core before the window opens.
 */
async function withQueue(
  run: (app: QueueApp) => Promise<void>,
  beforeLoad?: (d: Desktop, home: string) => Promise<void>,
): Promise<void> {
  let home = '';
  let models: ModelView[] = [];
  await withHarness(
    {
      prefix: 'earshot-queue-',
      prepare: (dir) => {
        home = dir;
      },
      desktop: { watchPollMs: 200 },
      beforeLoad: async (desktop) => {
        // The model that runs these jobs: the demo when it can, else the fixture.
        await licenseAndRunner(desktop);
        models = ((await desktop.dispatch('models:list', [])) as { value: ModelView[] }).value.filter(
          (m) => m.installed && m.transcribes,
        );
        await beforeLoad?.(desktop, home);
      },
    },
    async (h) => {
      await h.page.getByTestId('dropzone').waitFor();
      const row = (name: string, stage?: string) =>
        h.page.locator(`[data-testid=job]${stage ? `[data-stage=${stage}]` : ''}`, { hasText: name });
      await run({ h, home, models, row });
    },
  );
}

test('per-drop choices: the model’s missing languages and tasks are disabled; choices travel with the job and are remembered', () =>
  withQueue(async ({ h, home, models, row }) => {
    const { page } = h;
    const narrow = models.reduce((a, b) => (a.languages.length <= b.languages.length ? a : b));
    const wide = models.reduce((a, b) => (a.languages.length >= b.languages.length ? a : b));
    await page.getByTestId('drop-model').selectOption(narrow.id);
    const missing = wide.languages.find((l) => !narrow.languages.includes(l));
    if (missing) {
      const option = page.getByTestId('drop-language').locator(`option[value="${missing}"]`);
      assert.equal(await option.isDisabled(), true, `${missing} is disabled for ${narrow.name}`);
      await page.getByTestId('drop-model').selectOption(wide.id);
      assert.equal(await option.isDisabled(), false, `${missing} is enabled for ${wide.name}`);
    }
    if (narrow.family !== 'whisper') {
      await page.getByTestId('drop-model').selectOption(narrow.id);
      assert.equal(await page.getByTestId('drop-task').locator('option[value=translate]').isDisabled(), true);
    }
    const runner = models.find((m) => m.isDefault)!;
    await page.getByTestId('drop-model').selectOption(runner.id);
    await page.getByTestId('drop-language').selectOption('en');
    await page.getByTestId('drop-task').selectOption('transcribe');
    await screenshot(page, 'per-drop-options');
    assert.deepEqual(await axeViolations(page), []);
    const file = speechWav(path.join(home, 'choices.wav'), 'choices travel with the job');
    await h.setDropPaths({ 'choices.wav': file });
    await h.drop(['choices.wav']);
    await row('choices.wav', 'done').waitFor({ timeout: 120_000 });
    const job = h.jobEvents.filter((j) => j.source.name === 'choices.wav').at(-1)!;
    assert.equal(job.settings.modelId, runner.id);
    assert.equal(job.settings.language, 'en');
    assert.equal(job.settings.task, 'transcribe');
    await h.reload();
    await page.getByTestId('drop-model').waitFor();
    assert.equal(await page.getByTestId('drop-model').inputValue(), runner.id);
    assert.equal(await page.getByTestId('drop-language').inputValue(), 'en');
  }));

test('drop anywhere on the window; the drop zone is one line once jobs exist', () =>
  withQueue(async ({ h, home, row }) => {
    const { page } = h;
    // No jobs yet: the full drop zone.
    assert.equal(await page.locator('.dropzone.dropzone-compact').count(), 0);
    const file = speechWav(path.join(home, 'anywhere.wav'), 'dropped on the history screen');
    await h.sendCommand({ type: 'navigate', view: 'history' });
    await page.getByRole('heading', { name: 'History' }).waitFor();
    await h.setDropPaths({ 'anywhere.wav': file });
    const dt = await page.evaluateHandle(() => {
      const t = new DataTransfer();
      t.items.add(new File(['x'], 'anywhere.wav'));
      return t;
    });
    await page.dispatchEvent('main', 'drop', { dataTransfer: dt });
    await row('anywhere.wav', 'done').waitFor({ timeout: 120_000 });
    await page.locator('.dropzone.dropzone-compact').waitFor();
  }));

test('“GPU not used” is said once, not on every row', () =>
  withQueue(
    async ({ h }) => {
      const { page } = h;
      await page.getByTestId('job').nth(1).waitFor();
      const fellBack = h.desktop.jobs.list().some((j) => j.device?.provider === 'cpu' && j.device.fallbacks.length > 0);
      if (!fellBack) {
        console.log('# note: no GPU provider was tried on this machine; nothing to say');
        return;
      }
      await page.getByTestId('gpu-notice').waitFor();
      assert.equal(await page.getByText('GPU not used', { exact: true }).count(), 1);
    },
    // Two finished jobs, so that there are two rows that could each say it.
    async (d, home) => {
      await transcribe(d, speechWav(path.join(home, 'one.wav'), 'the first file'));
      await transcribe(d, speechWav(path.join(home, 'two.wav'), 'the second file'));
    },
  ));

test('Pause holds the queue, Cancel all cancels what waits, Clear finished empties the done rows', () =>
  withQueue(async ({ h, home, row }) => {
    const { page } = h;
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    const files = ['p1.wav', 'p2.wav', 'p3.wav'];
    for (const f of files) speechWav(path.join(home, f), `paused file ${f}`);
    // p2 runs until cancelled, however fast the model is, so p2 and p3 are still waiting when Cancel all is clicked.
    h.pipeline.hold('p2.wav');
    await h.setDropPaths(Object.fromEntries(files.map((f) => [f, path.join(home, f)])));
    await h.drop(files);
    for (const f of files) await row(f, 'queued').waitFor();
    await page.waitForTimeout(500);
    for (const f of files) assert.equal(await row(f).getAttribute('data-stage'), 'queued', `${f} waits while paused`);
    await page.getByRole('button', { name: 'Resume' }).click();
    await row('p1.wav', 'done').waitFor({ timeout: 120_000 });
    await page.getByRole('button', { name: 'Cancel all' }).click();
    for (const f of ['p2.wav', 'p3.wav']) await row(f, 'cancelled').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Clear finished' }).click();
    await row('p1.wav').waitFor({ state: 'detached' });
    assert.equal(await row('', 'done').count(), 0);
    assert.equal(await row('', 'cancelled').count(), 2, 'cancelled rows stay');
  }));

test('Settings → Watch folder: a recording copied into the folder is transcribed and its transcript written beside it', () =>
  withQueue(async ({ h, home }) => {
    const { page } = h;
    const folder = path.join(home, 'Inbox');
    await fs.mkdir(folder);
    await h.sendCommand({ type: 'navigate', view: 'settings' });
    await page.getByRole('textbox', { name: 'Folder', exact: true }).fill(path.join(home, 'missing'));
    await page.getByRole('textbox', { name: 'Folder', exact: true }).press('Enter');
    await setChecked(page.getByLabel('Transcribe new recordings that appear in a folder'), true);
    await page
      .getByTestId('watch-status')
      .getByText(/Not watching: .*does not exist/)
      .waitFor();
    await page.getByRole('textbox', { name: 'Folder', exact: true }).fill(folder);
    await page.getByRole('textbox', { name: 'Folder', exact: true }).press('Enter');
    await page.getByLabel('Write the transcript beside each file as').selectOption('txt');
    await page.getByTestId('watch-status').getByText(`Watching ${folder}`).waitFor();
    speechWav(path.join(home, 'inbox-source.wav'), 'a recording that arrived in the inbox');
    await fs.copyFile(path.join(home, 'inbox-source.wav'), path.join(folder, 'arrived.wav'));
    await page
      .getByTestId('watch-status')
      .getByText(/1 new file queued/)
      .waitFor({ timeout: 120_000 });
    await page
      .getByTestId('watch-status')
      .getByText(/last written: .*arrived\.txt/)
      .waitFor({ timeout: 120_000 });
    const text = await fs.readFile(path.join(folder, 'arrived.txt'), 'utf8');
    assert.ok(text.trim().length > 0, 'the transcript has text');
    await page.locator('#settings-watch').scrollIntoViewIfNeeded();
    await screenshot(page, 'watch-folder');
    assert.deepEqual(await axeViolations(page), []);
    await setChecked(page.getByLabel('Transcribe new recordings that appear in a folder'), false);
    await page
      .getByTestId('watch-status')
      .getByText(/^Off\./)
      .waitFor();
  }));

test('when the queue empties while the window is in the background: a system notification; the title shows progress', () =>
  withQueue(async ({ h, home, row }) => {
    const { page } = h;
    await page.context().grantPermissions(['notifications'], { origin: h.baseUrl });
    // Records each notification the app shows (the real constructor still runs) and each window title.
    await page.evaluate(() => {
      const w = window as unknown as { __shown: string[]; __titles: string[]; Notification: typeof Notification };
      w.__shown = [];
      w.__titles = [];
      const Real = w.Notification;
      w.Notification = class extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          w.__shown.push(`${title}: ${options?.body ?? ''}`);
        }
      };
      new MutationObserver(() => w.__titles.push(document.title)).observe(document.head, {
        subtree: true,
        childList: true,
        characterData: true,
      });
      window.dispatchEvent(new Event('blur')); // the user switched to another window
    });
    const file = speechWav(path.join(home, 'background.wav'), 'finished while you were away');
    // Held until the title has shown the work in progress, however fast the model is.
    h.pipeline.hold('background.wav');
    await h.setDropPaths({ 'background.wav': file });
    await h.drop(['background.wav']);
    await page.waitForFunction(() => /^Earshot — 1 working, \d+%$/.test(document.title));
    h.pipeline.release('background.wav');
    await row('background.wav', 'done').waitFor({ timeout: 120_000 });
    await page.waitForFunction(() => (window as unknown as { __shown: string[] }).__shown.length > 0);
    const shown = await page.evaluate(() => (window as unknown as { __shown: string[] }).__shown);
    assert.deepEqual(shown, ['Transcription finished: 1 transcript ready']);
    const titles = await page.evaluate(() => (window as unknown as { __titles: string[] }).__titles);
    assert.ok(
      titles.some((t) => /Earshot — 1 working, \d+%/.test(t)),
      titles.join(' | '),
    );
    assert.equal(await page.title(), 'Earshot');
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  }));
