/**
 * The taskbar / dock progress follows the real queue (real pipeline and model): paused with work waiting, a rising
 * fraction while a batch runs, and no bar once it is done. Electron's main only passes these values to
 * BrowserWindow.setProgressBar.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import type { TaskbarProgress } from '../../electron/core/desktop/taskbar-progress.ts';
import { FileSecretStore } from '../../electron/core/license/index.ts';
import { createDesktop } from '../../electron/core/services.ts';
import { demoModelAvailable, devKey, speechWav, tempHome, WHISPER_FIXTURE } from './fixtures.ts';

const homes: string[] = [];
after(async () => {
  for (const h of homes) await fs.rm(h, { recursive: true, force: true });
});

test('paused, then a rising fraction, then no bar: what main puts on the taskbar for a real batch', async () => {
  const home = await tempHome('earshot-taskbar-');
  homes.push(home);
  const a = speechWav(path.join(home, 'a.wav'), 'the quick brown fox jumps over the lazy dog', 3);
  const b = speechWav(path.join(home, 'b.wav'), 'she sells sea shells by the sea shore', 3);
  const d = await createDesktop({ home, secretStore: new FileSecretStore(path.join(home, 'license', 'key')) });
  try {
    if (!demoModelAvailable()) await d.modelManager.import(WHISPER_FIXTURE);
    await d.license.set(await devKey());
    const seen: TaskbarProgress[] = [];
    // What main subscribes to (and passes on to BrowserWindow.setProgressBar).
    const off = d.onTaskbarProgress((p) => seen.push(p));
    assert.deepEqual(seen, [{ value: -1, mode: 'none' }], 'an idle queue shows no bar');

    d.jobs.setPaused(true);
    const added = await d.dispatch('jobs:addFiles', [[a, b], { device: 'cpu' }]);
    assert.ok(added.ok);
    assert.deepEqual(seen.at(-1), { value: 0, mode: 'paused' }, 'waiting work in a paused queue');

    const finished = new Promise<void>((resolve) => {
      const on = () => {
        if (d.jobs.list().every((x) => x.stage === 'done')) {
          d.jobs.off('update', on);
          resolve();
        }
      };
      d.jobs.on('update', on);
    });
    d.jobs.setPaused(false);
    assert.equal(seen.at(-1)?.mode, 'normal', 'resuming leaves the paused mode at once');
    await finished;
    off();

    assert.deepEqual(seen.at(-1), { value: -1, mode: 'none' }, 'the bar goes once the batch is done');
    const running = seen.slice(seen.findIndex((p) => p.mode === 'paused') + 1, -1);
    const fractions = running.filter((p) => p.mode === 'normal').map((p) => p.value);
    assert.ok(fractions.length >= 2, `fractions shown while running: ${JSON.stringify(running)}`);
    assert.ok(
      fractions.every((v, i) => v >= 0 && v <= 1 && (i === 0 || v >= fractions[i - 1])),
      `never backwards: ${fractions}`,
    );
    assert.ok(
      fractions.some((v) => v >= 0.5 && v < 1),
      `the first file done shows half the batch or more: ${fractions}`,
    );
    assert.ok(running.every((p) => p.mode !== 'error'));
  } finally {
    await d.dispose();
  }
});
