/**
 * The pieces around the diarizers: DER scoring (collar, label mapping), clustering, and labelling a transcript's
 * words and segments by time overlap (splitting segments where the speaker changes).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Segment } from '../../electron/core/asr/types.ts';
import { labelSegments, speakerUtterances, speakersOf } from '../../electron/core/diarize/assign.ts';
import { agglomerate } from '../../electron/core/diarize/cluster.ts';
import { bestAssignment, diarizationErrorRate } from '../../electron/core/diarize/der.ts';

const ref = [
  { start: 0, end: 4, speaker: 'A' },
  { start: 5, end: 9, speaker: 'B' },
  { start: 10, end: 14, speaker: 'A' },
];

test('DER: a perfect answer under other names scores 0; silence scores 100 % missed', () => {
  const renamed = ref.map((t) => ({ ...t, speaker: t.speaker === 'A' ? 'SPEAKER_01' : 'SPEAKER_00' }));
  assert.equal(diarizationErrorRate(ref, renamed).der, 0);
  const none = diarizationErrorRate(ref, []);
  assert.equal(none.der, 1);
  assert.equal(none.missed, 1);
});

test('DER: boundary errors within the collar are forgiven, beyond it they count', () => {
  const shifted = ref.map((t) => ({ ...t, start: t.start + 0.2, end: t.end + 0.2 }));
  assert.equal(diarizationErrorRate(ref, shifted, 0.25).der, 0);
  const late = ref.map((t) => ({ ...t, start: t.start + 0.5 }));
  const r = diarizationErrorRate(ref, late, 0.25);
  // 0.25 s missed at each of three turns, out of 3 × 3.5 s scored.
  assert.ok(Math.abs(r.missed - 0.75 / 10.5) < 0.01, `missed ${r.missed}`);
  assert.equal(r.confusion, 0);
});

test('DER: one speaker split in two counts the smaller part as confusion; merged speakers too', () => {
  const split = [
    { start: 0, end: 4, speaker: 'x' },
    { start: 5, end: 9, speaker: 'y' },
    { start: 10, end: 14, speaker: 'z' },
  ];
  const r = diarizationErrorRate(ref, split, 0);
  assert.ok(Math.abs(r.confusion - 4 / 12) < 0.01, `confusion ${r.confusion}`);
  const merged = ref.map((t) => ({ ...t, speaker: 'one' }));
  assert.ok(Math.abs(diarizationErrorRate(ref, merged, 0).confusion - 4 / 12) < 0.01);
});

test('Hungarian assignment finds the best one-to-one pairing, with more columns than rows too', () => {
  const gain = [Float64Array.from([5, 9, 1]), Float64Array.from([10, 3, 2])];
  assert.equal(bestAssignment(gain), 19);
  assert.equal(bestAssignment([Float64Array.from([1]), Float64Array.from([7])]), 7);
});

test('agglomerative clustering: a known count, or a threshold', () => {
  const points = [0, 0.1, 0.2, 5, 5.1, 9, 9.2];
  const d = (i: number, j: number) => Math.abs(points[i] - points[j]);
  const w = points.map(() => 1);
  assert.deepEqual([...agglomerate(points.length, d, w, { k: 3, threshold: 0 })], [0, 0, 0, 1, 1, 2, 2]);
  assert.deepEqual([...agglomerate(points.length, d, w, { threshold: 1 })], [0, 0, 0, 1, 1, 2, 2]);
  assert.deepEqual([...agglomerate(points.length, d, w, { threshold: 100 })], [0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...agglomerate(points.length, d, w, { k: 2, threshold: 0 })], [0, 0, 0, 1, 1, 1, 1]);
  assert.deepEqual([...agglomerate(1, d, w, { threshold: 1 })], [0]);
});

const word = (w: string, start: number, end: number) => ({ word: w, start, end, confidence: 0.9 });
const segment = (id: number, words: ReturnType<typeof word>[]): Segment => ({
  id,
  start: words[0].start,
  end: words[words.length - 1].end,
  text: ` ${words.map((w) => w.word).join(' ')}`,
  words,
  avgLogprob: -0.2,
  noSpeechProb: 0,
});

test('labelling: words take the overlapping turn; a segment is split where its words change speaker', () => {
  const turns = [
    { start: 0, end: 2, speaker: 'SPEAKER_00' },
    { start: 2.2, end: 5, speaker: 'SPEAKER_01' },
  ];
  const segments = [segment(0, [word('Hello', 0.1, 0.5), word('there.', 0.6, 1.9), word('Hi!', 2.3, 2.8)])];
  const labelled = labelSegments(segments, turns);
  assert.equal(labelled.length, 2);
  assert.deepEqual(
    labelled.map((s) => [s.id, s.speaker, s.text, s.start, s.end]),
    [
      [0, 'SPEAKER_00', ' Hello there.', 0.1, 1.9],
      [1, 'SPEAKER_01', ' Hi!', 2.3, 2.8],
    ],
  );
  assert.deepEqual(
    labelled.flatMap((s) => s.words!.map((w) => w.speaker)),
    ['SPEAKER_00', 'SPEAKER_00', 'SPEAKER_01'],
  );
  assert.deepEqual(speakersOf(labelled), ['SPEAKER_00', 'SPEAKER_01']);
  // The input is not modified.
  assert.equal(segments[0].speaker, undefined);
});

test('labelling: a word outside every turn takes the nearest; a segment without words takes the most overlap', () => {
  const turns = [
    { start: 0, end: 2, speaker: 'SPEAKER_00' },
    { start: 6, end: 9, speaker: 'SPEAKER_01' },
  ];
  const labelled = labelSegments([segment(0, [word('late', 5.5, 5.8)])], turns);
  assert.equal(labelled[0].speaker, 'SPEAKER_01');
  const bare: Segment = { id: 0, start: 1, end: 7.5, text: ' words', avgLogprob: 0, noSpeechProb: 0 };
  assert.equal(labelSegments([bare], turns)[0].speaker, 'SPEAKER_01');
  assert.equal(labelSegments([bare], [])[0].speaker, undefined, 'no turns: no labels');
});

test('utterances join consecutive segments of one speaker', () => {
  const segs: Segment[] = [
    { id: 0, start: 0, end: 1, text: ' Hello.', avgLogprob: 0, noSpeechProb: 0, speaker: 'SPEAKER_00' },
    { id: 1, start: 1.2, end: 2, text: ' How are you?', avgLogprob: 0, noSpeechProb: 0, speaker: 'SPEAKER_00' },
    { id: 2, start: 2.5, end: 3, text: ' Fine.', avgLogprob: 0, noSpeechProb: 0, speaker: 'SPEAKER_01' },
  ];
  assert.deepEqual(speakerUtterances(segs), [
    { speaker: 'SPEAKER_00', text: 'Hello. How are you?', start: 0, end: 2 },
    { speaker: 'SPEAKER_01', text: 'Fine.', start: 2.5, end: 3 },
  ]);
});
