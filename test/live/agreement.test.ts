/**
 * Local agreement in live transcription: words two provisional transcripts agree on become final early. The policy is
 * checked on word lists, then end to end on the bundled model with espeak-ng speech fed in 100 ms frames, each frame
 * worked through before the next (so lags are in stream time and do not depend on this machine's speed).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadSpeechModel } from '../../electron/core/asr/load-model.ts';
import type { Segment, SpeechModel, Word } from '../../electron/core/asr/types.ts';
import {
  agreedWordCount,
  agreedSilence,
  cutAfterAgreed,
  joinLivePieces,
  OVERDUE_SECONDS,
  UNSETTLED_TAIL_SECONDS,
} from '../../electron/core/live/agreement.ts';
import { type LiveFinal, type LiveInterim, LiveTranscription } from '../../electron/core/live/live-transcription.ts';
import { bundledModelsDir } from '../../electron/core/paths.ts';
import { demoModelAvailable, speechWav, tempHome } from '../app/fixtures.ts';
import { wordErrorRate } from './wer.ts';

const w = (word: string, start: number, end: number): Word => ({ word, start, end, confidence: 0.9 });

test('agreement: the common prefix of two transcripts, by text and place, clear of the end of the audio', () => {
  const a = [w(' The', 0.1, 0.3), w(' quick', 0.35, 0.7), w(' brown', 0.75, 1.1), w(' fox', 1.2, 1.5)];
  const b = [w('the', 0.12, 0.31), w(' quick,', 0.36, 0.72), w(' brawn', 0.75, 1.1), w(' fox', 1.2, 1.5)];
  assert.equal(agreedWordCount(a, b, 2), 2, 'case and punctuation do not matter; a revised word ends agreement');
  // …until it is overdue: a word both place alike but the model keeps respelling no longer holds back the rest.
  assert.equal(agreedWordCount(a, b, 1.1 + OVERDUE_SECONDS - 0.01), 2, 'respelled, not yet overdue');
  assert.equal(agreedWordCount(a, b, 1.1 + OVERDUE_SECONDS + 0.01), 4, 'respelled and overdue: settled, and the rest');
  const moved = [w(' the', 0.1, 0.3), w(' quick', 0.8, 1.1)];
  assert.equal(agreedWordCount(a, moved, 3), 1, 'the same word in another place is another word');
  assert.equal(agreedWordCount(a, a, 1.1 + UNSETTLED_TAIL_SECONDS - 0.01), 2, 'a word at the edge of the audio waits');
  assert.equal(agreedWordCount([], a, 3), 0);
  assert.equal(cutAfterAgreed(a, 2, 3), (0.7 + 0.75) / 2, 'cut in the gap to the next word');
  assert.equal(cutAfterAgreed(a, 4, 3), 1.65, 'nothing follows yet: a little after the last word');
  assert.equal(cutAfterAgreed(a, 4, 1.6), 1.55, '…but never past the middle of what is left');
});

test('agreed silence: the quiet both transcripts hear before their first word is decided once it is 1 s long', () => {
  assert.equal(agreedSilence([], [], 0.9), undefined, 'too short to bother');
  assert.equal(agreedSilence([], [], 2), 1.7, 'no words at all: all but the last 0.3 s');
  assert.equal(agreedSilence([w('hi', 2.5, 2.8)], [w('hi', 2.4, 2.8)], 3), 2.1, 'up to the earlier first word');
  assert.equal(agreedSilence([w('hi', 0.5, 0.8)], [], 3), undefined, 'one transcript heard a word early on');
});

const piece = (start: number, end: number, text: string, speaker?: string): Segment => ({
  id: 0,
  start,
  end,
  text,
  words: [w(text, start, end)],
  avgLogprob: -0.5,
  noSpeechProb: 0,
  speaker,
});

test('the saved transcript joins agreed pieces into phrases: split at pauses, sentence ends, speakers and 12 s', () => {
  const joined = joinLivePieces([
    piece(0, 1, ' the quick'),
    piece(1.2, 2, ' brown fox.'),
    piece(2.1, 3, ' she sells'),
    piece(4, 5, ' sea shells'),
    piece(5.1, 6, ' by the', 'SPEAKER_01'),
    ...Array.from({ length: 14 }, (_, i) => piece(6.1 + i, 7 + i, ` w${i}`, 'SPEAKER_01')),
  ]);
  assert.deepEqual(
    joined.map((s) => [s.id, s.start, s.end, s.text]),
    [
      [0, 0, 2, ' the quick brown fox.'],
      [1, 2.1, 3, ' she sells'],
      [2, 4, 5, ' sea shells'],
      [3, 5.1, 17, ` by the ${Array.from({ length: 11 }, (_, i) => `w${i}`).join(' ')}`],
      [4, 17.1, 20, ' w11 w12 w13'],
    ],
  );
  assert.equal(joined[0].words?.length, 2, 'words are kept');
});

const SENTENCE =
  'the quick brown fox jumps over the lazy dog near the river bank. ' +
  'she sells sea shells by the sea shore while the sun is shining. ' +
  'please call me back tomorrow morning about the meeting';

let home = '';
let model: SpeechModel | undefined;
let pcm = new Float32Array(0);

before(async () => {
  if (!demoModelAvailable()) return;
  home = await tempHome('earshot-agree-');
  const wav = speechWav(path.join(home, 'speech.wav'), SENTENCE);
  const raw = execFileSync('ffmpeg', [
    '-v',
    'error',
    '-i',
    wav,
    '-af',
    'apad=pad_dur=1',
    '-ar',
    '16000',
    '-ac',
    '1',
    '-f',
    'f32le',
    '-',
  ]);
  pcm = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
  model = await loadSpeechModel(path.join(bundledModelsDir(), 'demo-en'), { device: 'cpu', threads: 1 });
});

after(async () => {
  await model?.dispose();
  if (home) await fs.rm(home, { recursive: true, force: true });
});

async function runLive(m: SpeechModel) {
  const finals: LiveFinal[] = [];
  const interims: LiveInterim[] = [];
  const live = new LiveTranscription(
    m,
    { language: 'en' },
    { onFinal: (f) => finals.push(f), onInterim: (i) => interims.push(i) },
  );
  for (let i = 0; i < pcm.length; i += 1600) {
    live.push(pcm.subarray(i, i + 1600));
    await live.settled();
  }
  const result = await live.stop();
  return { finals, interims, result };
}

test('live words become final within 2 s of being spoken (stream time), and the text stays as accurate as the file', async (t) => {
  if (!model) return t.skip('the bundled demo model is not built');
  const { finals, result } = await runLive(model);
  const lags = finals.flatMap((f) => f.segments.flatMap((s) => (s.words ?? []).map((x) => f.receivedAt - x.end)));
  // The end of the input decides everything left at once; those words are not waiting on the policy.
  const beforeEnd = finals.filter((f) => f.receivedAt < pcm.length / 16000 - 0.05);
  const policyLags = beforeEnd.flatMap((f) =>
    f.segments.flatMap((s) => (s.words ?? []).map((x) => f.receivedAt - x.end)),
  );
  assert.ok(
    policyLags.length >= 10,
    `most words are final before the input ends (${policyLags.length} of ${lags.length})`,
  );
  assert.ok(Math.max(...policyLags) <= 2, `final word lags ${policyLags.map((x) => x.toFixed(2)).join(' ')}`);

  // Finals are contiguous and in order, and the whole transcript is about as good as transcribing the file.
  for (let i = 1; i < finals.length; i++) assert.ok(Math.abs(finals[i].start - finals[i - 1].end) < 1e-6);
  const live = result.segments.map((s) => s.text).join(' ');
  const file = (await model.transcribe({ samples: pcm, sampleRate: 16000 }, { language: 'en' }).result()).text;
  const liveWer = wordErrorRate(SENTENCE, live);
  const fileWer = wordErrorRate(SENTENCE, file);
  const mean = policyLags.reduce((a, b) => a + b, 0) / policyLags.length;
  console.log(
    `live policy: ${policyLags.length}/${lags.length} words final before the end, lag mean ${mean.toFixed(2)} s max ${Math.max(...policyLags).toFixed(2)} s; WER live ${liveWer.toFixed(3)} file ${fileWer.toFixed(3)}`,
  );
  assert.ok(liveWer <= fileWer + 0.05, `live WER ${liveWer} vs file ${fileWer}: "${live}" / "${file}"`);
  assert.ok(result.segments.length <= 6, `${result.segments.length} saved segments: phrases, not agreement pieces`);
  const times = result.segments.flatMap((s) => s.words ?? []).map((x) => x.start);
  assert.deepEqual(
    times,
    [...times].sort((a, b) => a - b),
    'word times increase',
  );
});
