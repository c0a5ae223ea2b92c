/**
 * Speakers in the desktop app's core, with the real queue and worker: a job that asks for speakers (per job, or by
 * the default setting) stores a transcript whose segments carry "Speaker 1", "Speaker 2"; history lists the names;
 * search hits say who spoke; renamed speakers are saved like any edit; a resumed job still labels the whole recording.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { JobRecord } from '../../electron/core/jobs/types.ts';
import { FileSecretStore } from '../../electron/core/license/index.ts';
import { bundledModelsDir } from '../../electron/core/paths.ts';
import { createDesktop, type Desktop } from '../../electron/core/services.ts';
import { buildConversation, writeWav } from '../../tools/diarize/conversation.ts';
import { demoModelAvailable, devKey, tempHome } from './fixtures.ts';

let home: string;
let wav: string;

async function open(): Promise<Desktop> {
  return createDesktop({ home, secretStore: new FileSecretStore(path.join(home, 'license', 'key')) });
}

/** The job once it is done (polled; a failure rejects with its reason). */
async function finished(d: Desktop, id: string, timeoutMs = 120_000): Promise<JobRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = d.jobs.list().find((j) => j.id === id);
    if (job?.stage === 'done') return job;
    if (job?.stage === 'failed') throw new Error(`job failed: ${job.error?.message}`);
    if (Date.now() > deadline) throw new Error(`job ${id} is still ${job?.stage}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

before(async () => {
  home = await tempHome('earshot-speakers-');
  wav = path.join(home, 'interview.wav');
  writeWav(wav, buildConversation({ seed: 341, speakers: 2, turns: 8 }).samples);
  const d = await open();
  await d.license.set(await devKey());
  await d.dispose();
});
after(() => fs.rm(home, { recursive: true, force: true }));

test('a job asking for speakers stores named speakers; history and search show them', {
  skip: !demoModelAvailable(),
}, async () => {
  const d = await open();
  try {
    const [job] = await d.jobs.add([{ kind: 'file', value: wav, name: 'interview.wav' }], {
      device: 'cpu',
      diarize: true,
      numSpeakers: 2,
    });
    const done = await finished(d, job.id);
    const t = await d.library.get(done.transcriptId!);
    assert.deepEqual([...new Set(t.segments.map((s) => s.speaker))].sort(), ['Speaker 1', 'Speaker 2']);
    for (const s of t.segments) for (const w of s.words ?? []) assert.equal(w.speaker, s.speaker);
    assert.deepEqual(t.diarization, {
      method: 'classical',
      approximate: true,
      speakers: ['Speaker 1', 'Speaker 2'],
    });
    const listed = (await d.library.list()).find((x) => x.id === t.id);
    assert.deepEqual(listed?.speakers, ['Speaker 1', 'Speaker 2']);
    const word = t.segments[0].text.trim().split(' ')[0];
    const hits = await d.library.search(word);
    assert.ok(hits.length > 0);
    assert.match(hits[0].speaker ?? '', /^Speaker [12]$/);

    // Renaming is an edit of the segments: saved, and the history shows the new name.
    const renamed = t.segments.map((s) => ({
      ...s,
      speaker: s.speaker === 'Speaker 1' ? 'Ada' : s.speaker,
      words: s.words?.map((w) => ({ ...w, speaker: w.speaker === 'Speaker 1' ? 'Ada' : w.speaker })),
    }));
    const r = await d.dispatch('transcripts:updateSegments', [t.id, renamed]);
    assert.equal(r.ok, true);
    assert.deepEqual((await d.library.list()).find((x) => x.id === t.id)?.speakers, ['Ada', 'Speaker 2']);
  } finally {
    await d.dispose();
  }
});

test('the default setting turns speakers on for new jobs; a job can still say no', async () => {
  const d = await open();
  try {
    const off = await d.dispatch('jobs:addFiles', [[wav], { diarize: false, device: 'cpu' }]);
    assert.ok(off.ok);
    assert.equal(off.ok && (off.value as JobRecord[])[0].settings.diarize, false);
    const set = await d.dispatch('settings:update', [{ diarization: { enabled: true } }]);
    assert.ok(set.ok);
    const on = await d.dispatch('jobs:addFiles', [[wav]]);
    assert.ok(on.ok);
    const settings = on.ok ? (on.value as JobRecord[])[0].settings : undefined;
    assert.equal(settings?.diarize, true);
    assert.equal(settings?.diarizeWith, 'auto');
    for (const j of d.jobs.list()) await d.jobs.cancel(j.id).catch(() => {});
  } finally {
    await d.dispatch('settings:update', [{ diarization: { enabled: false } }]);
    await d.dispose();
  }
});

test('a resumed job labels the whole recording, the segments saved before the restart included', {
  skip: !demoModelAvailable(),
}, async () => {
  const { runJob, disposeEngine } = await import('../../electron/core/jobs/engine.ts');
  const modelDir = path.join(bundledModelsDir(), 'demo-en');
  const input = {
    jobId: 'resume-test',
    source: { kind: 'file' as const, value: wav },
    mediaDir: path.join(home, 'media'),
    modelDir,
    modelName: 'demo-en',
    options: { device: 'cpu' as const },
    diarization: { numSpeakers: 2 },
  };
  const callbacks = {
    signal: new AbortController().signal,
    onStage() {},
    onDevice() {},
    onDuration() {},
  };
  try {
    const whole = await runJob(input, callbacks);
    const half = whole.result.segments.filter((s) => s.end < whole.result.duration / 2);
    assert.ok(half.length >= 2 && half.length < whole.result.segments.length);
    const saved = half.map(({ speaker: _s, words, ...rest }) => ({
      ...rest,
      words: words?.map(({ speaker: _w, ...w }) => w),
    }));
    const resumed = await runJob(
      { ...input, resume: { model: 'demo-en', duration: whole.result.duration, segments: saved } },
      callbacks,
    );
    const labels = resumed.result.segments.map((s) => s.speaker);
    assert.ok(
      labels.every((l) => l === 'Speaker 1' || l === 'Speaker 2'),
      JSON.stringify(labels),
    );
    // The saved part is labelled as in the uninterrupted run.
    assert.deepEqual(
      resumed.result.segments.slice(0, saved.length).map((s) => s.speaker),
      half.map((s) => s.speaker),
    );
  } finally {
    await disposeEngine();
  }
});

test('bad speaker input over IPC is refused before it reaches the engine', async () => {
  const d = await open();
  try {
    const many = await d.dispatch('jobs:addFiles', [[wav], { diarize: true, numSpeakers: 99 }]);
    assert.equal(many.ok, false);
    assert.equal(!many.ok && many.error.code, 'INVALID_PARAMETER');
    const method = await d.dispatch('settings:update', [{ diarization: { method: 'magic' } }]);
    assert.equal(method.ok, false);
    const long = await d.dispatch('transcripts:updateSegments', [
      'nope',
      [{ id: 0, start: 0, end: 1, text: 'x', avgLogprob: 0, noSpeechProb: 0, speaker: 'x'.repeat(201) }],
    ]);
    assert.equal(long.ok, false);
    assert.equal(!long.ok && long.error.code, 'INVALID_PARAMETER');
  } finally {
    await d.dispose();
  }
});
