/**
 * A cluster worker continuing a Whisper job that a dead worker left with a checkpoint (real ONNX: the random Whisper
 * fixture, one thread): it continues after the last saved segment as the desktop does, without transcribing the
 * audio before it again, keeps the saved text, and puts the continued segments on the recording's timeline.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TranscriptResult } from '../../electron/core/asr/types.ts';
import { ModelThreads, type ModelRunner } from '../../electron/core/server/model-threads.ts';
import { type RunCheckpoint, runFromCheckpoint } from '../../electron/core/server/resumable-run.ts';
import { espeak, FIXTURES, toLength } from '../asr/whisper-helpers.ts';

const SECONDS = 40;
const options = { language: 'en', wordTimestamps: false };

describe('a Whisper job continued from a dead worker’s checkpoint', () => {
  let threads: ModelThreads;
  let audio: Float32Array;
  /** The real model, noting how many samples each run was given. */
  let model: ModelRunner;
  const given: number[] = [];

  before(async () => {
    threads = await ModelThreads.start(
      { modelDir: path.join(FIXTURES, 'whisper-tiny-random'), device: 'cpu', threads: 1 },
      1,
    );
    audio = toLength(
      espeak('Earshot turns speech into text on your own computer. Nothing leaves the machine.'),
      SECONDS,
    );
    model = {
      family: threads.family,
      name: threads.name,
      device: threads.device,
      languages: threads.languages,
      run: (samples, o, signal, stream) => {
        given.push(samples.length);
        return threads.run(samples, o, signal, stream);
      },
      dispose: () => threads.dispose(),
    };
  });
  after(async () => threads?.dispose());

  const decoded = () => ({ samples: audio.slice(), sampleRate: 16000 as const, duration: SECONDS });

  test('saves its segments as it goes, then continues after the last saved one', async () => {
    assert.equal(model.family, 'whisper');
    // The first run: its checkpoints as the dead worker would have left them.
    const saves: RunCheckpoint[] = [];
    let resumedAt: number | undefined;
    const first = await runFromCheckpoint(model, decoded(), options, new AbortController().signal, {
      save: (c) => saves.push(c),
      resumed: (from) => (resumedAt = from),
    });
    assert.equal(resumedAt, undefined, 'nothing to continue');
    assert.ok(first.segments.length >= 2, 'the audio gives more than one segment');
    assert.deepEqual(saves.at(-1)?.segments, first.segments, 'the last checkpoint holds every segment');
    // The worker died after its first segment was saved. Its text is marked: a run that transcribed that audio again
    // would not give it back.
    const dead = saves.find((c) => c.segments.length === 1)!;
    assert.ok(dead, 'a checkpoint was saved after the first segment');
    const kept = { ...dead.segments[0], text: ' (saved by the worker that died)' };
    const from = kept.end;
    assert.ok(from > 0 && from < SECONDS);

    given.length = 0;
    const continued: RunCheckpoint[] = [];
    const result = await runFromCheckpoint(model, decoded(), options, new AbortController().signal, {
      resume: { ...dead, segments: [kept] },
      save: (c) => continued.push(c),
      resumed: (at) => (resumedAt = at),
    });
    assert.equal(resumedAt, from, 'told where it continues: the saved segment’s end');
    assert.deepEqual(given, [Math.round((SECONDS - from) * 16000)], 'only the audio after it was transcribed');
    assert.deepEqual(result.segments[0], kept, 'the saved segment is kept as it was');
    assert.ok(result.text.startsWith('(saved by the worker that died)'), result.text);
    assert.equal(result.duration, SECONDS);

    // The continued segments are those of a run over the rest of the audio, moved onto the recording's timeline and
    // numbered after the saved one.
    const rest: TranscriptResult = await threads.run(
      audio.slice(audio.length - given[0]),
      options,
      new AbortController().signal,
    );
    assert.ok(rest.segments.length >= 1);
    assert.deepEqual(
      result.segments.slice(1).map((s) => [s.id, s.start, s.end, s.text]),
      rest.segments.map((s, i) => [1 + i, s.start + from, s.end + from, s.text]),
    );
    for (const s of result.segments.slice(1)) assert.ok(s.start >= from - 1e-6 && s.end <= SECONDS + 1e-6);
    // Its own checkpoints carry the saved segment too, so that a second death continues from the right place.
    assert.deepEqual(continued.at(-1)?.segments, result.segments);
  });
});
