/**
 * What crashes, failures and cancels leave behind: downloads in the temp folder, media of URL jobs that produced no
 * transcript, a duplicate transcript after a crash between saving and marking done, temp files of interrupted atomic
 * writes, and a usage-ledger lock left by a crashed process.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { keepDownload } from '../../electron/core/jobs/job-media.ts';
import { JobQueue } from '../../electron/core/jobs/queue.ts';
import type { JobRecord, PipelineInput, TranscriptionPipeline } from '../../electron/core/jobs/types.ts';
import { TranscriptLibrary } from '../../electron/core/library/library.ts';
import { breakDeadLock, UsageLedger } from '../../electron/core/license/ledger.ts';
import { FileSecretStore } from '../../electron/core/license/index.ts';
import { createDesktop } from '../../electron/core/services.ts';
import { tempHome } from './fixtures.ts';

const root = process.getuid?.() === 0;
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});
async function dir(): Promise<string> {
  const d = await tempHome('earshot-left-');
  dirs.push(d);
  return d;
}

test('a download that cannot be kept (disk full) is DISK_FULL, and neither the temp file nor a partial copy stays', {
  skip: !root && 'needs root to mount a small tmpfs',
}, async () => {
  const outside = await dir();
  const media = path.join(outside, 'media');
  mkdirSync(media);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', media]);
  try {
    const temp = path.join(os.tmpdir(), `earshot-url-test-${process.pid}`);
    writeFileSync(temp, Buffer.alloc(3 * 1024 * 1024, 1));
    const target = path.join(media, 'job.mp3');
    await assert.rejects(
      keepDownload({ path: temp, cleanup: () => fs.rm(temp, { force: true }) }, target),
      (e: { code?: string }) => e.code === 'DISK_FULL',
    );
    assert.equal(existsSync(temp), false, 'temp download removed');
    assert.deepEqual(readdirSync(media), [], 'no partial copy');
  } finally {
    execFileSync('umount', [media]);
  }
});

test('a kept download is moved, and the temp file is gone', async () => {
  const d = await dir();
  const temp = path.join(d, 'download.tmp');
  writeFileSync(temp, 'media bytes');
  const target = path.join(d, 'media', 'job.mp3');
  await keepDownload({ path: temp, cleanup: () => fs.rm(temp, { force: true }) }, target);
  assert.equal(await fs.readFile(target, 'utf8'), 'media bytes');
  assert.equal(existsSync(temp), false);
});

/**
 * The desktop refuses URLs on private addresses, so no local server can stand in for the web in a URL job; this
 * pipeline does what the real one does with a URL job's media (writes `<job id>.<ext>` into the media folder) and then
 * fails, is cancelled, or succeeds.
 */
function downloadingPipeline(outcome: 'fail' | 'cancel' | 'ok'): TranscriptionPipeline {
  return {
    async run(input: PipelineInput, cb) {
      await fs.mkdir(input.mediaDir, { recursive: true });
      const media = path.join(input.mediaDir, `${input.jobId}.mp3`);
      await fs.writeFile(media, 'downloaded');
      if (outcome === 'fail') throw Object.assign(new Error('bad media'), { code: 'CORRUPT_MEDIA' });
      if (outcome === 'cancel') {
        await new Promise((_r, reject) => cb.signal.addEventListener('abort', () => reject(new Error('aborted'))));
      }
      return {
        mediaPath: media,
        result: { text: 'hi', language: 'en', duration: 1, model: 'm', segments: [] },
      } as never;
    },
    async dispose() {},
  };
}

function until(q: JobQueue, id: string, stages: JobRecord['stage'][]): Promise<JobRecord> {
  const now = q.list().find((j) => j.id === id);
  if (now && stages.includes(now.stage)) return Promise.resolve(now);
  return new Promise((resolve) => {
    const on = (j: JobRecord) => {
      if (j.id === id && stages.includes(j.stage)) {
        q.off('update', on);
        resolve(j);
      }
    };
    q.on('update', on);
  });
}

for (const outcome of ['fail', 'cancel', 'ok'] as const) {
  test(`the media a URL job downloaded is ${outcome === 'ok' ? 'kept when it made a transcript' : `deleted when it ${outcome === 'fail' ? 'fails' : 'is cancelled'}`}`, async () => {
    const d = await dir();
    const mediaDir = path.join(d, 'media');
    mkdirSync(mediaDir);
    writeFileSync(path.join(mediaDir, 'other-transcript.mp3'), 'keep me');
    const q = new JobQueue(path.join(d, 'jobs'), {
      pipeline: downloadingPipeline(outcome),
      mediaDir,
      resolveModel: async () => ({ id: 'm', name: 'm', dir: d }),
      authorize: async () => {},
      saveTranscript: async (_job, _out, id) => id,
    });
    await q.start();
    const [job] = await q.add([{ kind: 'url', value: 'https://example.com/talk.mp3', name: 'talk.mp3' }], {});
    if (outcome === 'cancel') {
      while (!existsSync(path.join(mediaDir, `${job.id}.mp3`))) await new Promise((r) => setTimeout(r, 5));
      await q.cancel(job.id);
    }
    const end = await until(q, job.id, ['done', 'failed', 'cancelled']);
    await q.stop();
    const expected = outcome === 'ok' ? ['other-transcript.mp3', `${job.id}.mp3`].sort() : ['other-transcript.mp3'];
    assert.deepEqual(readdirSync(mediaDir).sort(), expected, `stage ${end.stage}`);
  });
}

test('a crash after the transcript was saved but before the job was marked done makes no second transcript', async () => {
  const home = await dir();
  const library = new TranscriptLibrary(path.join(home, 'transcripts'), path.join(home, 'media'));
  const saved = await library.create(
    { title: 'talk', duration: 1, language: 'en', model: 'm', mediaPath: '/nowhere/talk.wav', segments: [] },
    '6f1d2b9e-0000-4000-8000-00000000a001',
  );
  // What the crash leaves: the job still "transcribing" with the id it was saving under.
  const job: JobRecord = {
    id: 'job-crashed',
    source: { kind: 'file', value: '/nowhere/talk.wav', name: 'talk.wav' },
    stage: 'transcribing',
    progress: 0.99,
    createdAt: new Date().toISOString(),
    settings: {},
    savingAs: saved.id,
  };
  await fs.mkdir(path.join(home, 'jobs'), { recursive: true });
  writeFileSync(path.join(home, 'jobs', 'queue.json'), JSON.stringify({ version: 1, jobs: [job] }));
  const d = await createDesktop({ home, secretStore: new FileSecretStore(path.join(home, 'license', 'key')) });
  try {
    const [after] = d.jobs.list();
    assert.equal(after.stage, 'done');
    assert.equal(after.transcriptId, saved.id);
    const list = await d.dispatch('transcripts:list', []);
    assert.ok(list.ok);
    assert.equal((list.value as unknown[]).length, 1);
  } finally {
    await d.dispose();
  }
});

test('temp files left by interrupted atomic writes are removed at start; fresh ones (a write in progress) are not', async () => {
  const home = await dir();
  const old = Date.now() / 1000 - 3600;
  const leftovers = [
    path.join(home, '.settings.json.0123456789ab.tmp'),
    path.join(home, 'jobs', '.queue.json.a1b2c3d4e5f6.tmp'),
    path.join(home, 'license', '.usage.json.00ff00ff00ff.tmp'),
    path.join(home, 'transcripts', '.x.json.abcdefabcdef.tmp'),
  ];
  const fresh = path.join(home, 'jobs', '.queue.json.fedcbafedcba.tmp');
  const notOurs = path.join(home, 'jobs', 'notes.tmp');
  for (const f of [...leftovers, fresh, notOurs]) {
    await fs.mkdir(path.dirname(f), { recursive: true });
    writeFileSync(f, 'partial');
  }
  for (const f of [...leftovers, notOurs]) utimesSync(f, old, old);
  const d = await createDesktop({ home, secretStore: new FileSecretStore(path.join(home, 'license', 'key')) });
  await d.dispose();
  for (const f of leftovers) assert.equal(existsSync(f), false, f);
  assert.equal(existsSync(fresh), true);
  assert.equal(existsSync(notOurs), true);
});

test('a ledger lock left by a crashed process on this machine is taken over at once, however fresh it looks', async () => {
  const d = await dir();
  const file = path.join(d, 'usage.json');
  // A process that has exited: its pid names no running process.
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const lock = `${file}.lock`;
  mkdirSync(lock);
  writeFileSync(
    path.join(lock, 'owner.json'),
    JSON.stringify({ pid: Number(dead.stdout), host: os.hostname(), token: 'crashed' }),
  );
  // A clock that moved, or a crash a moment ago: the lock does not look stale by its age.
  const future = Date.now() / 1000 + 3600;
  utimesSync(lock, future, future);
  const ledger = new UsageLedger(file);
  await ledger.charge('lic-1', 30, 3600, Date.now());
  assert.equal(ledger.audioSecondsOn('lic-1', new Date().toISOString().slice(0, 10)), 30);
  assert.equal(existsSync(lock), false, 'the lock is released after the charge');
});

test('a ledger lock held by a live process, or by one on another machine, is left alone', () => {
  const d = path.join(os.tmpdir(), `earshot-lock-${process.pid}`);
  for (const owner of [
    { pid: process.ppid, host: os.hostname(), token: 'live' },
    { pid: 999_999_999, host: `not-${os.hostname()}`, token: 'remote' },
  ]) {
    mkdirSync(d, { recursive: true });
    writeFileSync(path.join(d, 'owner.json'), JSON.stringify(owner));
    breakDeadLock(d);
    assert.equal(existsSync(path.join(d, 'owner.json')), true, owner.token);
    rmSync(d, { recursive: true, force: true });
  }
});
