/**
 * "Show in folder" after auto-export: a transcript the queue wrote into the auto-export folder (outside the data
 * folder) is shown there, and that file may be revealed by path too; the neighbour the app did not write may not.
 * Real queue, pipeline, model and files; the only stand-in is the OS call (recorded).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import type { JobRecord } from '../../electron/core/jobs/types.ts';
import { FileSecretStore } from '../../electron/core/license/index.ts';
import { createDesktop } from '../../electron/core/services.ts';
import { demoModelAvailable, devKey, speechWav, tempHome, WHISPER_FIXTURE } from './fixtures.ts';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

test('a transcript auto-exported outside the data folder is what Show in folder reveals', async () => {
  const home = await tempHome('earshot-reveal-');
  const out = await tempHome('earshot-reveal-out-');
  dirs.push(home, out);
  const revealed: string[] = [];
  const d = await createDesktop({
    home,
    secretStore: new FileSecretStore(path.join(home, 'license', 'key')),
    revealInFolder: async (file) => {
      revealed.push(file);
    },
  });
  try {
    if (!demoModelAvailable()) await d.modelManager.import(WHISPER_FIXTURE);
    await d.license.set(await devKey());
    await d.settings.update({ autoExport: { enabled: true, folder: out, format: 'txt' } });
    await fs.writeFile(path.join(out, 'Minutes.txt'), 'not written by Earshot');
    const wav = speechWav(path.join(home, 'Minutes.wav'), 'the minutes of the meeting');
    const done = new Promise<JobRecord>((resolve) => {
      const on = (j: JobRecord) => {
        if (j.stage !== 'done') return;
        d.jobs.off('update', on);
        resolve(j);
      };
      d.jobs.on('update', on);
    });
    assert.ok((await d.dispatch('jobs:addFiles', [[wav], { device: 'cpu' }])).ok);
    const job = await done;
    const written = path.join(out, 'Minutes (2).txt');
    const until = Date.now() + 30_000;
    while (!existsSync(written) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    // The export is remembered just after it is written.
    while (!(await d.exported.lastExportOf(job.transcriptId!)) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
    }

    const r = await d.dispatch('transcripts:reveal', [job.transcriptId]);
    assert.ok(r.ok, JSON.stringify(r));
    const expected = await fs.realpath(written);
    assert.equal(r.value, expected);
    assert.deepEqual(revealed, [expected]);
    assert.ok((await d.dispatch('system:reveal', [written])).ok);
    const other = await d.dispatch('system:reveal', [path.join(out, 'Minutes.txt')]);
    assert.equal(!other.ok && other.error.code, 'INVALID_PARAMETER');
    assert.deepEqual(revealed, [expected, expected]);

    // Gone from the folder: Show in folder falls back to the transcript's own file in the data folder.
    await fs.rm(written);
    const again = await d.dispatch('transcripts:reveal', [job.transcriptId]);
    assert.ok(again.ok);
    assert.equal(again.value, await fs.realpath(path.join(home, 'transcripts', `${job.transcriptId}.json`)));
  } finally {
    await d.dispose();
  }
});

test('without a desktop to show files, reveal says so instead of pretending', async () => {
  const home = await tempHome('earshot-reveal-none-');
  dirs.push(home);
  const d = await createDesktop({ home, secretStore: new FileSecretStore(path.join(home, 'license', 'key')) });
  try {
    const file = path.join(home, 'a.txt');
    await fs.writeFile(file, 'x');
    const r = await d.dispatch('system:reveal', [file]);
    assert.equal(!r.ok && r.error.code, 'SERVICE_UNAVAILABLE');
  } finally {
    await d.dispose();
  }
});
