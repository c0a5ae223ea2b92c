/** The running job's checkpoint file: appended segment by segment, read back up to a line torn by a crash. */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Segment } from '../../electron/core/asr/types.ts';
import { CheckpointWriter, checkpointFile, readCheckpoint } from '../../electron/core/jobs/checkpoint.ts';

const seg = (i: number): Segment => ({
  id: i,
  start: i,
  end: i + 0.9,
  text: ` word ${i}`,
  words: [{ word: `word${i}`, start: i, end: i + 0.9, confidence: 0.8 }],
  avgLogprob: -0.1,
  noSpeechProb: 0,
});

test('segments are appended as they come, and a torn last line is left out when read back', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-checkpoint-'));
  try {
    const file = checkpointFile(dir, 'job1');
    const writer = new CheckpointWriter(file, 'demo-en');
    writer.setDuration(60);
    for (let i = 0; i < 3; i++) writer.add(seg(i));
    await writer.flush();
    const first = readFileSync(file, 'utf8');
    for (let i = 3; i < 5; i++) writer.add(seg(i));
    await writer.flush();
    const second = readFileSync(file, 'utf8');
    assert.ok(second.startsWith(first), 'earlier lines are not rewritten');
    assert.equal(second.trim().split('\n').length, 1 + 5, 'a header line and one line per segment');
    assert.deepEqual(await readCheckpoint(file), {
      model: 'demo-en',
      duration: 60,
      segments: [0, 1, 2, 3, 4].map(seg),
    });

    appendFileSync(file, '{"id":5,"start":5,"en'); // a crash in the middle of an append
    const back = await readCheckpoint(file);
    assert.deepEqual(back?.segments, [0, 1, 2, 3, 4].map(seg));

    // A resumed run starts the file afresh (without the torn line), then appends again.
    const resumed = new CheckpointWriter(file, 'demo-en');
    resumed.setDuration(60);
    resumed.continueFrom(back!.segments);
    resumed.add(seg(5));
    await resumed.flush();
    assert.deepEqual((await readCheckpoint(file))?.segments, [0, 1, 2, 3, 4, 5].map(seg));
    await resumed.discard();
    assert.equal(await readCheckpoint(file), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no header, or a header without model and duration, is no checkpoint', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-checkpoint-'));
  try {
    const file = checkpointFile(dir, 'job2');
    appendFileSync(file, '{"model": "demo-en", "segments": [tru');
    assert.equal(await readCheckpoint(file), undefined);
    assert.equal(await readCheckpoint(checkpointFile(dir, 'missing')), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
