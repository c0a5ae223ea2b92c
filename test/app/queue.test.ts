/**
 * The persisted queue with the real worker-thread pipeline (real decoding, real inference with a project model):
 * lifecycle, cancellation, retry, and resume after the process is killed mid-transcription.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { EtaEstimator } from '../../electron/core/jobs/eta.ts';
import { readCheckpoint } from '../../electron/core/jobs/checkpoint.ts';
import type { JobRecord } from '../../electron/core/jobs/types.ts';
import { FileSecretStore } from '../../electron/core/license/index.ts';
import { createDesktop, type Desktop } from '../../electron/core/services.ts';
import { demoModelAvailable, devKey, speechWav, tempHome, WHISPER_FIXTURE } from './fixtures.ts';

let home: string;
let short: string;
let long: string;
let medium: string;
let lengthy: string;

async function open(): Promise<Desktop> {
  return createDesktop({ home, secretStore: new FileSecretStore(path.join(home, 'license', 'key')) });
}

function waitFor(d: Desktop, id: string, stage: JobRecord['stage'], timeoutMs = 120_000): Promise<JobRecord> {
  const current = d.jobs.list().find((j) => j.id === id);
  if (current?.stage === stage) return Promise.resolve(current);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`job ${id} never reached ${stage}`)), timeoutMs);
    const on = (job: JobRecord) => {
      if (job.id !== id || job.stage !== stage) return;
      clearTimeout(timer);
      d.jobs.off('update', on);
      resolve(job);
    };
    d.jobs.on('update', on);
  });
}

before(async () => {
  home = await tempHome('earshot-queue-');
  short = speechWav(path.join(home, 'short.wav'), 'testing one two three');
  long = speechWav(path.join(home, 'long.wav'), 'the quick brown fox jumps over the lazy dog', 25);
  medium = speechWav(path.join(home, 'medium.wav'), 'the quick brown fox jumps over the lazy dog', 6);
  lengthy = speechWav(path.join(home, 'lengthy.wav'), 'she opened the window and looked at the garden', 100);
  const d = await open();
  if (!demoModelAvailable()) await d.modelManager.import(WHISPER_FIXTURE);
  await d.license.set(await devKey());
  await d.dispose();
});

after(() => fs.rm(home, { recursive: true, force: true }));

test('no license: adding work is refused with the exact reason and nothing is queued', async () => {
  const bare = await tempHome('earshot-nokey-');
  const d = await createDesktop({ home: bare, secretStore: new FileSecretStore(path.join(bare, 'k')) });
  const r = await d.dispatch('jobs:addFiles', [[short]]);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.error.code, 'INVALID_LICENSE');
  assert.match(String(!r.ok && r.error.details?.reason), /no license key/);
  assert.deepEqual(d.jobs.list(), []);
  await d.dispose();
  await fs.rm(bare, { recursive: true, force: true });
});

test('a job runs queued → decoding → transcribing → done and its transcript is stored', async () => {
  const d = await open();
  const seen: JobRecord[] = [];
  d.jobs.on('update', (j) => seen.push(j));
  const [job] = await d.jobs.add([{ kind: 'file', value: short, name: 'short.wav' }], { device: 'cpu' });
  const done = await waitFor(d, job.id, 'done');
  assert.deepEqual([...new Set(seen.map((j) => j.stage))], ['queued', 'decoding', 'transcribing', 'done']);
  assert.equal(done.progress, 1);
  assert.equal(done.device?.provider, 'cpu');
  assert.ok(Math.abs((done.duration ?? 0) - 1.5) < 1.5);
  const t = await d.library.get(done.transcriptId!);
  assert.equal(t.mediaPath, short);
  assert.ok(t.segments.length > 0);
  // The queue on disk says the same.
  const onDisk = JSON.parse(await fs.readFile(path.join(home, 'jobs', 'queue.json'), 'utf8'));
  assert.equal(onDisk.jobs.find((j: JobRecord) => j.id === job.id).stage, 'done');
  await d.dispose();
});

test('cancel stops a long transcription; the next job still runs; retry and remove work', async () => {
  const d = await open();
  const [a, b] = await d.jobs.add(
    [
      { kind: 'file', value: long, name: 'long.wav' },
      { kind: 'file', value: short, name: 'short.wav' },
    ],
    {},
  );
  await waitFor(d, a.id, 'transcribing');
  const t0 = performance.now();
  await d.jobs.cancel(a.id);
  assert.equal(d.jobs.get(a.id).stage, 'cancelled');
  assert.ok(performance.now() - t0 < 6000, 'cancel takes effect quickly');
  await waitFor(d, b.id, 'done');
  await d.jobs.retry(a.id);
  assert.equal(d.jobs.get(a.id).stage === 'queued' || d.jobs.get(a.id).stage === 'decoding', true);
  await d.jobs.remove(a.id);
  assert.equal(
    d.jobs.list().some((j) => j.id === a.id),
    false,
  );
  await assert.rejects(d.jobs.retry(b.id), { code: 'INVALID_PARAMETER' });
  await d.dispose();
});

test('killed mid-transcription: on the next start the job resumes and finishes, and so does the queued one', async () => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/app/crash-child.ts', home, medium, short], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(child.signal, 'SIGKILL', child.stderr);
  const before = JSON.parse(await fs.readFile(path.join(home, 'jobs', 'queue.json'), 'utf8')).jobs as JobRecord[];
  const interrupted = before.find((j) => j.source.name === 'medium.wav' && j.stage === 'transcribing');
  const waiting = before.find((j) => j.source.name === 'short.wav' && j.stage === 'queued');
  assert.ok(interrupted && waiting, 'the queue file shows the work in flight at the crash');
  const d = await open();
  const resumed = d.jobs.get(interrupted.id);
  assert.equal(resumed.resumed, true);
  const done = await waitFor(d, interrupted.id, 'done', 180_000);
  assert.ok(done.transcriptId);
  await waitFor(d, waiting.id, 'done');
  await d.dispose();
});

test('killed after segments were saved: the job continues after them instead of starting over', async () => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/app/crash-child.ts', home, lengthy], {
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, CRASH_AT: 'checkpoint' },
  });
  assert.equal(child.signal, 'SIGKILL', child.stderr);
  const before = JSON.parse(await fs.readFile(path.join(home, 'jobs', 'queue.json'), 'utf8')).jobs as JobRecord[];
  const interrupted = before.find((j) => j.source.name === 'lengthy.wav' && j.stage === 'transcribing');
  assert.ok(interrupted, 'the queue file shows the job in flight at the crash');
  const partialFile = path.join(home, 'jobs', `${interrupted.id}.partial.json`);
  const saved = (await readCheckpoint(partialFile))!;
  assert.ok(saved.segments.length >= 1 && saved.duration > 0);
  const from = saved.segments.at(-1)!.end;
  assert.ok(from > 0 && from < saved.duration);

  const d = await open();
  const progress: number[] = [];
  d.jobs.on('update', (j) => j.id === interrupted.id && j.stage === 'transcribing' && progress.push(j.progress));
  const done = await waitFor(d, interrupted.id, 'done', 240_000);
  assert.equal(done.resumed, true);
  assert.equal(done.resumedFrom, from, 'it continued from the last saved segment');
  // The bar never went back to the start of transcription: it began where the saved part ends.
  const transcribingFrom = 0.08 + 0.92 * (from / saved.duration);
  assert.ok(progress.length > 0 && progress[0] >= transcribingFrom - 0.01, `first progress ${progress[0]}`);
  const transcript = await d.library.get(done.transcriptId!);
  // The saved segments are kept as they were, and the rest follows them in order, to the end of the recording.
  assert.deepEqual(
    transcript.segments.slice(0, saved.segments.length).map((s) => [s.start, s.end, s.text]),
    saved.segments.map((s) => [s.start, s.end, s.text]),
  );
  const rest = transcript.segments.slice(saved.segments.length);
  assert.ok(rest.length >= 1);
  assert.ok(rest[0].start >= from - 0.05, `${rest[0].start} follows ${from}`);
  for (let i = 1; i < transcript.segments.length; i++) {
    assert.ok(transcript.segments[i].start >= transcript.segments[i - 1].start);
  }
  assert.ok(transcript.segments.at(-1)!.end > saved.duration - 10, 'the end of the recording was transcribed');
  if (demoModelAvailable()) {
    const n = transcript.segments
      .map((s) => s.text)
      .join(' ')
      .split(/\s+/)
      .filter((w) => w === 'garden').length;
    assert.ok(n >= 90, `${n} of 100 sentences end in "garden"`);
  }
  await d.dispose();
  await assert.rejects(fs.access(partialFile), 'the checkpoint is gone once the job is done');
});

test('an unreadable checkpoint is ignored: the interrupted job starts over and finishes', async () => {
  const d0 = await open();
  await d0.dispose(); // let the services create their folders
  const id = 'interrupted-with-broken-checkpoint';
  const record = {
    id,
    source: { kind: 'file', value: short, name: 'short.wav' },
    stage: 'transcribing',
    progress: 0.5,
    createdAt: new Date().toISOString(),
    settings: {},
  };
  const jobsDir = path.join(home, 'jobs');
  const queue = JSON.parse(await fs.readFile(path.join(jobsDir, 'queue.json'), 'utf8'));
  queue.jobs.push(record);
  await fs.writeFile(path.join(jobsDir, 'queue.json'), JSON.stringify(queue));
  await fs.writeFile(path.join(jobsDir, `${id}.partial.json`), '{"model": "demo-en", "segments": [tru');
  const d = await open();
  const done = await waitFor(d, id, 'done');
  assert.equal(done.resumed, true);
  assert.equal(done.resumedFrom, undefined, 'nothing was taken from the broken checkpoint');
  assert.ok(done.transcriptId);
  await d.dispose();
  await assert.rejects(fs.access(path.join(jobsDir, `${id}.partial.json`)));
});

test('ETA comes from measured speed and only once measurable', () => {
  let now = 0;
  const eta = new EtaEstimator(15_000, 1_000, () => now);
  assert.equal(eta.update(0.1), undefined);
  now = 500;
  assert.equal(eta.update(0.15), undefined, 'not before a second of measurement');
  now = 2_000;
  // 0.1 → 0.3 in 2 s: 0.1 per second, 0.7 left → 7 s.
  assert.equal(eta.update(0.3), 7);
  now = 2_500;
  assert.equal(eta.update(0.3), 9, 'a stall lowers the measured speed');
});
