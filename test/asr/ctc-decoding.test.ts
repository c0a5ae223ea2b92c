/**
 * The CTC engine's pieces on hand-made frame scores and folders: greedy decoding, beam search with a language
 * model, forced alignment, window planning, segmenting and model.json validation.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { forceAlign } from '../../electron/core/asr/ctc/align.ts';
import { beamSearch } from '../../electron/core/asr/ctc/beam.ts';
import { decodeGreedy, type FrameScores } from '../../electron/core/asr/ctc/greedy.ts';
import { BigramLm } from '../../electron/core/asr/ctc/lm.ts';
import { readCtcPack } from '../../electron/core/asr/ctc/pack.ts';
import { segmentsFromWords } from '../../electron/core/asr/ctc/segments.ts';
import { fixedWindows, windowsFromRegions } from '../../electron/core/asr/ctc/windows.ts';
import { isEarshotError } from '../../electron/core/errors.ts';

const VOCAB = ['<blank>', ' ', "'", ...'abcdefghijklmnopqrstuvwxyz'];
const settings = { vocabulary: VOCAB, blankId: 0, frameShift: 0.02, frameOffset: 0, windowStart: 0 };

/** Frames as strings: '_' blank, '|' space, a letter; each frame gives its symbol probability `p`. */
function frames(spec: string, p = 0.9, alternatives: Record<number, [string, number]> = {}): FrameScores {
  const V = VOCAB.length;
  const logProbs = new Float32Array(spec.length * V);
  [...spec].forEach((ch, t) => {
    const id = ch === '_' ? 0 : ch === '|' ? 1 : VOCAB.indexOf(ch);
    const probs = new Array(V).fill((1 - p) / (V - 1));
    probs[id] = p;
    const alt = alternatives[t];
    if (alt) {
      const altId = VOCAB.indexOf(alt[0]);
      probs[altId] = alt[1];
      probs[id] = p - alt[1] + (1 - p) / (V - 1);
    }
    for (let v = 0; v < V; v++) logProbs[t * V + v] = Math.log(probs[v]);
  });
  return { logProbs, frames: spec.length, vocabSize: V };
}

describe('greedy CTC decoding', () => {
  test('merges repeats, drops blanks, keeps doubled letters split by a blank, and splits words at spaces', () => {
    const { words, avgLogprob } = decodeGreedy(frames('__hhe_ll_lo__||_wwor_ld__'), settings);
    assert.deepEqual(
      words.map((w) => w.word),
      ['hello', 'world'],
    );
    assert.ok(Math.abs(avgLogprob - Math.log(0.9)) < 1e-5);
  });

  test('word times come from the frames of their letters, confidence from their probabilities', () => {
    const { words } = decodeGreedy(frames('____ab__|___cd_', 0.8), { ...settings, windowStart: 10 });
    assert.equal(words[0].start, 10 + 3.5 * 0.02);
    assert.equal(words[0].end, 10 + 5.5 * 0.02);
    assert.equal(words[1].start, 10 + 11.5 * 0.02);
    assert.ok(Math.abs(words[0].confidence - 0.8) < 0.001);
  });

  test('all blanks give no words', () => {
    assert.deepEqual(decodeGreedy(frames('________'), settings).words, []);
  });
});

describe('beam search with a word language model', () => {
  const lm = new BigramLm({
    type: 'word-bigram',
    unknown: Math.log(1e-6),
    unigrams: { red: Math.log(0.3), car: Math.log(0.3), wed: Math.log(0.001) },
    backoff: { '<s>': Math.log(0.5), red: Math.log(0.5) },
    bigrams: { 'red car': Math.log(0.4) },
  });
  const beam = { vocabulary: VOCAB, blankId: 0, beamSize: 8, alpha: 1, beta: 0 };

  test('without a language model it finds the acoustically best text', () => {
    assert.equal(beamSearch(frames('_he_l_lo_|_you'), null, beam), 'hello you');
  });

  test('the language model picks the known word where the sound is ambiguous', () => {
    // Frame 1 says 'w' slightly more than 'r': greedy reads "wed car", the LM prefers "red car".
    const scores = frames('_wed_|_car_', 0.9, { 1: ['r', 0.44] });
    assert.equal(
      decodeGreedy(scores, settings)
        .words.map((w) => w.word)
        .join(' '),
      'wed car',
    );
    assert.equal(beamSearch(scores, lm, beam), 'red car');
  });

  test('lookahead scores unfinished words by the best known completion', () => {
    assert.equal(lm.lookahead('re'), Math.log(0.3));
    assert.equal(lm.lookahead('zz'), Math.log(1e-6));
  });
});

describe('forced alignment', () => {
  test('finds the frames of each letter, with a blank between doubled letters', () => {
    const scores = frames('_a_a__b');
    const aligned = forceAlign(scores, [3, 3, 4], VOCAB, 0);
    assert.deepEqual(
      aligned?.map((e) => [e.char, e.firstFrame, e.lastFrame]),
      [
        ['a', 1, 1],
        ['a', 3, 3],
        ['b', 6, 6],
      ],
    );
  });

  test('returns null when the text cannot fit the frames', () => {
    assert.equal(forceAlign(frames('_a'), [3, 3, 3], VOCAB, 0), null);
  });
});

describe('windows and segments', () => {
  test('fixed windows overlap and their own parts tile the timeline', () => {
    const windows = fixedWindows(0, 50, 20, 2);
    assert.equal(windows[0].start, 0);
    assert.equal(windows.at(-1)?.end, 50);
    assert.equal(windows[0].ownStart, Number.NEGATIVE_INFINITY);
    assert.equal(windows.at(-1)?.ownEnd, Number.POSITIVE_INFINITY);
    for (const w of windows) assert.ok(w.end - w.start <= 20);
    for (let i = 1; i < windows.length; i++) {
      assert.ok(windows[i].start < windows[i - 1].end, 'overlap');
      assert.equal(windows[i].ownStart, windows[i - 1].ownEnd);
    }
  });

  test('speech regions share a window while it fits; a long region is cut with overlap', () => {
    const windows = windowsFromRegions(
      [
        { start: 1, end: 5 },
        { start: 6, end: 12 },
        { start: 30, end: 75 },
      ],
      20,
    );
    assert.deepEqual(windows[0], { start: 1, end: 12, ownStart: -Infinity, ownEnd: Infinity });
    assert.equal(windows[1].start, 30);
    assert.equal(windows.at(-1)?.end, 75);
    assert.ok(windows.length >= 4);
  });

  test('a pause starts a new segment; segment text is its words', () => {
    const w = (word: string, start: number, end: number) => ({ word, start, end, confidence: 0.9 });
    const segments = segmentsFromWords([w('one', 0, 0.3), w('two', 0.4, 0.7), w('three', 2, 2.4)], -0.1);
    assert.deepEqual(
      segments.map((s) => [s.text, s.start, s.end]),
      [
        [' one two', 0, 0.7],
        [' three', 2, 2.4],
      ],
    );
  });
});

describe('model.json validation', () => {
  const valid = {
    family: 'ctc',
    name: 'tiny',
    languages: ['en'],
    input: { name: 'waveform', sampleRate: 16000 },
    output: { name: 'log_probs' },
    vocabulary: VOCAB,
    blankId: 0,
    frameShift: 0.02,
    licence: 'test',
  };
  function folder(json: unknown, withOnnx = true): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-ctc-pack-'));
    writeFileSync(path.join(dir, 'model.json'), typeof json === 'string' ? json : JSON.stringify(json));
    if (withOnnx) writeFileSync(path.join(dir, 'model.onnx'), '');
    return dir;
  }
  const cases: [string, unknown, boolean, RegExp][] = [
    ['broken JSON', '{"family": "ctc"', true, /not valid JSON/],
    ['a missing vocabulary', { ...valid, vocabulary: undefined }, true, /vocabulary/],
    ['a blank outside the vocabulary', { ...valid, blankId: 99 }, true, /blankId/],
    ['another sample rate', { ...valid, input: { name: 'x', sampleRate: 8000 } }, true, /sampleRate/],
    ['a missing model.onnx', valid, false, /model\.onnx/],
    ['a missing language model', { ...valid, decoder: { lm: 'lm.json' } }, true, /lm\.json/],
  ];
  for (const [name, json, withOnnx, message] of cases) {
    test(`${name} is MODEL_INVALID with a message that says what`, () => {
      const dir = folder(json, withOnnx);
      try {
        assert.throws(
          () => readCtcPack(dir),
          (e) => isEarshotError(e, 'MODEL_INVALID') && message.test(e.message),
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test('a valid folder reads with defaults filled in', () => {
    const dir = folder(valid);
    try {
      const pack = readCtcPack(dir);
      assert.equal(pack.maxWindowSeconds, 20);
      assert.equal(pack.input.minSamples, 400);
      assert.equal(pack.decoder, undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
