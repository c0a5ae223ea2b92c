/** Continuing an interrupted job: when a checkpoint is trusted, and how its segments join the continued run. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Segment, TranscriptResult } from '../../electron/core/asr/types.ts';
import { joinResumed, resumePoint } from '../../electron/core/jobs/resume.ts';

const seg = (id: number, start: number, end: number, text: string): Segment => ({
  id,
  start,
  end,
  text,
  words: [{ word: text.trim(), start, end, confidence: 0.9 }],
  avgLogprob: -0.2,
  noSpeechProb: 0,
});
const checkpoint = { model: 'demo-en', duration: 60, segments: [seg(0, 0.5, 4, ' hello'), seg(1, 5, 9.5, ' world')] };

test('a checkpoint is used only for the same model and media, with audio left to do', () => {
  assert.equal(resumePoint(checkpoint, 'demo-en', 60), 9.5);
  assert.equal(resumePoint(checkpoint, 'demo-en', 60.3), 9.5, 'decoders may differ by a few samples');
  assert.equal(resumePoint(checkpoint, 'whisper-base', 60), undefined, 'another model starts over');
  assert.equal(resumePoint(checkpoint, 'demo-en', 75), undefined, 'other media starts over');
  assert.equal(resumePoint({ ...checkpoint, segments: [] }, 'demo-en', 60), undefined);
  assert.equal(resumePoint(undefined, 'demo-en', 60), undefined);
  assert.equal(resumePoint({ ...checkpoint, segments: [seg(0, 50, 60, ' end')] }, 'demo-en', 60), undefined);
});

test('the continued run moves onto the whole timeline, numbered after the saved segments', () => {
  const rest: TranscriptResult = {
    text: 'again',
    language: 'en',
    duration: 50.5,
    device: { provider: 'cpu', label: 'CPU · 2 threads', fallbacks: [] },
    model: 'demo-en',
    segments: [seg(0, 1, 2, 'again'), seg(1, 3, 4, ' and again')],
  };
  const joined = joinResumed(checkpoint.segments, rest, 9.5, 60);
  assert.deepEqual(
    joined.segments.map((s) => [s.id, s.start, s.end]),
    [
      [0, 0.5, 4],
      [1, 5, 9.5],
      [2, 10.5, 11.5],
      [3, 12.5, 13.5],
    ],
  );
  assert.deepEqual(
    joined.segments[3].words?.map((w) => [w.start, w.end]),
    [[12.5, 13.5]],
  );
  assert.equal(joined.text, 'hello world again and again');
  assert.equal(joined.duration, 60);
});
