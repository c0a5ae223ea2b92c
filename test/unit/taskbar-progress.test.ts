/** The queue's overall progress for the taskbar / dock icon (core/desktop/taskbar-progress.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QueueProgress } from '../../electron/core/desktop/taskbar-progress.ts';
import type { JobRecord } from '../../electron/core/jobs/types.ts';

const job = (id: string, stage: JobRecord['stage'], progress = 0): JobRecord => ({
  id,
  source: { kind: 'file', value: `/x/${id}.wav`, name: `${id}.wav` },
  stage,
  progress,
  createdAt: '2026-01-01T00:00:00.000Z',
  settings: {},
});

test('idle: no bar (-1), also when only finished, failed or cancelled jobs are listed', () => {
  const p = new QueueProgress();
  assert.deepEqual(p.compute([], false), { value: -1, mode: 'none' });
  assert.deepEqual(p.compute([job('a', 'done', 1), job('b', 'failed'), job('c', 'cancelled')], false), {
    value: -1,
    mode: 'none',
  });
});

test('running: the fraction of the batch, finished jobs counting as whole', () => {
  const p = new QueueProgress();
  assert.deepEqual(p.compute([job('a', 'transcribing', 0.5), job('b', 'queued')], false), {
    value: 0.25,
    mode: 'normal',
  });
  // a finished: it stays in the batch as done.
  assert.deepEqual(p.compute([job('a', 'done', 1), job('b', 'transcribing', 0.5)], false), {
    value: 0.75,
    mode: 'normal',
  });
  // A file added meanwhile joins the batch.
  assert.deepEqual(p.compute([job('a', 'done', 1), job('b', 'transcribing', 0.5), job('c', 'queued')], false), {
    value: 0.5,
    mode: 'normal',
  });
  // Removed from the queue: out of the batch.
  assert.deepEqual(p.compute([job('b', 'transcribing', 0.5), job('c', 'queued')], false), {
    value: 0.25,
    mode: 'normal',
  });
  // Finished: the bar goes; the next batch starts from nothing.
  assert.deepEqual(p.compute([job('b', 'done', 1), job('c', 'done', 1)], false), { value: -1, mode: 'none' });
  assert.deepEqual(p.compute([job('b', 'done', 1), job('c', 'done', 1), job('d', 'transcribing', 0.2)], false), {
    value: 0.2,
    mode: 'normal',
  });
});

test('a download or decode with no fraction yet is indeterminate (a value above 1)', () => {
  const p = new QueueProgress();
  const r = p.compute([job('a', 'downloading', 0), job('b', 'queued')], false);
  assert.equal(r.mode, 'indeterminate');
  assert.ok(r.value > 1);
  assert.deepEqual(p.compute([job('a', 'decoding', 0.4), job('b', 'queued')], false), { value: 0.2, mode: 'normal' });
});

test('paused keeps the fraction in the paused mode; a failure in the batch shows the error mode', () => {
  const p = new QueueProgress();
  assert.deepEqual(p.compute([job('a', 'done', 1), job('b', 'queued')], true), { value: 0, mode: 'paused' });
  assert.deepEqual(p.compute([job('a', 'transcribing', 0.5), job('b', 'queued')], true), {
    value: 0.25,
    mode: 'paused',
  });
  assert.deepEqual(p.compute([job('a', 'failed', 0.5), job('b', 'transcribing', 0.5)], false), {
    value: 0.75,
    mode: 'error',
  });
  // Progress outside 0–1 never leaves the range.
  assert.deepEqual(new QueueProgress().compute([job('x', 'transcribing', 1.7)], false), { value: 1, mode: 'normal' });
});
