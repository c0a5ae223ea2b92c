/**
 * A full disk, for real: the data folder is a small tmpfs that the test fills to the last page. A finished job whose
 * transcript cannot be saved keeps its result and saves it on retry once there is space; a queue that cannot be
 * written refuses new work with DISK_FULL instead of answering ok and losing it. Needs root (mount); CI runs as root.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { JobRecord } from '../../electron/core/jobs/types.ts';
import { FileSecretStore } from '../../electron/core/license/index.ts';
import { createDesktop, type Desktop } from '../../electron/core/services.ts';
import { demoModelAvailable, devKey, speechWav, tempHome, WHISPER_FIXTURE } from './fixtures.ts';

const root = process.getuid?.() === 0;
let outside: string;
let home: string;
let wav: string;
let filler: string;

before(async () => {
  if (!root) return;
  outside = await tempHome('earshot-diskfull-');
  home = path.join(outside, 'home');
  await fs.mkdir(home);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', home]);
  filler = path.join(home, 'filler.bin');
  wav = speechWav(path.join(outside, 'speech.wav'), 'the quick brown fox jumps over the lazy dog', 2);
});

after(async () => {
  if (!root) return;
  execFileSync('umount', [home]);
  await fs.rm(outside, { recursive: true, force: true });
});

/** Fills the tmpfs: whole pages, then single bytes, until the kernel says ENOSPC. */
function fillDisk(): void {
  for (const chunk of [Buffer.alloc(64 * 1024), Buffer.alloc(4096), Buffer.alloc(1)]) {
    try {
      for (;;) appendFileSync(filler, chunk);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
    }
  }
}

function freeDisk(): void {
  rmSync(filler, { force: true });
}

async function open(): Promise<Desktop> {
  const d = await createDesktop({
    home,
    secretStore: new FileSecretStore(path.join(home, 'license', 'key')),
    modelsDir: path.join(outside, 'models'),
  });
  if (!demoModelAvailable() && !(await d.modelManager.list()).some((m) => m.installed && !m.bundled)) {
    await d.modelManager.import(WHISPER_FIXTURE);
  }
  return d;
}

function waitForStage(d: Desktop, id: string, stages: JobRecord['stage'][]): Promise<JobRecord> {
  return new Promise((resolve) => {
    const check = (job: JobRecord) => {
      if (job.id !== id || !stages.includes(job.stage)) return;
      d.jobs.off('update', check);
      resolve(job);
    };
    d.jobs.on('update', check);
    const now = d.jobs.list().find((j) => j.id === id);
    if (now) check(now);
  });
}

test('disk full when the transcript is saved: the result is kept, DISK_FULL is shown, and retry saves it', {
  skip: !root && 'needs root to mount a small tmpfs',
}, async () => {
  const d = await open();
  try {
    assert.ok((await d.dispatch('license:set', [await devKey()])).ok);
    const added = await d.dispatch('jobs:addFiles', [[wav]]);
    assert.ok(added.ok, JSON.stringify(added));
    const [job] = added.value as JobRecord[];
    // The disk fills while it transcribes: the result exists only in memory when the save comes.
    const filled = new Promise<void>((resolve) => {
      const on = (j: JobRecord) => {
        if (j.id !== job.id || j.stage !== 'transcribing') return;
        d.jobs.off('update', on);
        fillDisk();
        resolve();
      };
      d.jobs.on('update', on);
    });
    await filled;
    const failed = await waitForStage(d, job.id, ['failed', 'done']);
    assert.equal(failed.stage, 'failed');
    assert.equal(failed.error?.code, 'DISK_FULL');
    assert.equal(failed.error?.details?.resultKept, true);
    assert.match(failed.error?.message ?? '', /transcript is kept/);
    assert.deepEqual(await d.dispatch('transcripts:list', []), { ok: true, value: [] });

    // Still full: retry says so again and keeps the result.
    const stillFull = await d.dispatch('jobs:retry', [job.id]);
    assert.equal(!stillFull.ok && stillFull.error.code, 'DISK_FULL');

    freeDisk();
    const retried = await d.dispatch('jobs:retry', [job.id]);
    assert.ok(retried.ok, JSON.stringify(retried));
    const done = d.jobs.list().find((j) => j.id === job.id)!;
    assert.equal(done.stage, 'done');
    assert.equal(done.error, undefined);
    const t = await d.dispatch('transcripts:get', [done.transcriptId!]);
    assert.ok(t.ok);
    assert.ok((t.value as { segments: unknown[] }).segments.length > 0);
    assert.match((t.value as { segments: { text: string }[] }).segments.map((s) => s.text).join(' '), /\w/);
  } finally {
    freeDisk();
    await d.dispose();
  }
});

test('disk full when work is added: DISK_FULL, and the queue neither shows nor stores a job it could not save', {
  skip: !root && 'needs root to mount a small tmpfs',
}, async () => {
  const d = await open();
  try {
    assert.ok((await d.dispatch('license:set', [await devKey()])).ok);
    const before = d.jobs.list().length;
    fillDisk();
    const r = await d.dispatch('jobs:addFiles', [[wav]]);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error.code, 'DISK_FULL');
    assert.equal(d.jobs.list().length, before);
    freeDisk();
    const ok = await d.dispatch('jobs:addFiles', [[wav]]);
    assert.ok(ok.ok, JSON.stringify(ok));
    const [job] = ok.value as JobRecord[];
    const stored = JSON.parse(readFileSync(path.join(home, 'jobs', 'queue.json'), 'utf8')) as { jobs: JobRecord[] };
    assert.ok(stored.jobs.some((j) => j.id === job.id));
    await d.dispatch('jobs:cancel', [job.id]);
  } finally {
    freeDisk();
    await d.dispose();
  }
});
