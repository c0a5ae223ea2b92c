/**
 * Word timing in the layouts the catalog's repositories ship. The *_timestamped exports (encoder_attentions,
 * decoder_attentions, cross_attentions) must give words aligned on the audio by cross-attention; plain exports (no
 * attention outputs) must still transcribe, with words spread over each segment. The three folders share their
 * weights, so the text is the same and only the word times may differ.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { TranscriptResult } from '../../electron/core/asr/types.ts';
import { loadWhisperModel } from '../../electron/core/asr/whisper/index.ts';
import { proportionalWords } from '../../electron/core/asr/whisper/words.ts';
import { validateModelFolder } from '../../electron/core/models/validate.ts';
import { ENGLISH, espeak, layoutFolder, toLength } from './whisper-helpers.ts';

// 40 s of repeated speech: the random-weight fixture then decodes a segment of several words.
const speech = toLength(espeak('Earshot turns speech into text on your own computer. Nothing leaves the machine.'), 40);
const options = { maxNewTokens: 48, language: 'en', temperatureFallback: false } as const;
let tmp: string;
const results: Record<string, TranscriptResult> = {};

async function transcribe(dir: string): Promise<TranscriptResult> {
  const model = await loadWhisperModel(dir, { device: 'cpu', threads: 2 });
  try {
    return await model.transcribe({ samples: speech, sampleRate: 16000 }, options).result();
  } finally {
    await model.dispose();
  }
}

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'earshot-layouts-'));
  results.reference = await transcribe(ENGLISH);
  results.timestamped = await transcribe(layoutFolder('timestamped', tmp));
  results.plain = await transcribe(layoutFolder('plain', tmp));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const words = (r: TranscriptResult) => r.segments.flatMap((s) => s.words ?? []);
/** The word times a segment would get by length alone (the approximation), as [start, end] pairs. */
function spreadByLength(s: TranscriptResult['segments'][number]): number[][] {
  const w = s.words ?? [];
  const pieces = w.map((x) => ({ text: x.word, tokenIndexes: [] }));
  return proportionalWords(pieces, [], s.start, s.end).map((x) => [x.start, x.end]);
}
/** Segments with several words: where aligned and proportional times can be told apart. */
const multiWord = (r: TranscriptResult) => r.segments.filter((s) => (s.words ?? []).length >= 2);

test('the three layouts decode the same text', () => {
  assert.ok(multiWord(results.reference).length >= 1, 'the fixture decodes a segment of several words');
  for (const layout of ['timestamped', 'plain']) {
    assert.deepEqual(
      results[layout].segments.map((s) => [s.start, s.end, s.text]),
      results.reference.segments.map((s) => [s.start, s.end, s.text]),
      layout,
    );
  }
});

test('timestamped layout: word times come from cross-attention alignment, not from word lengths', () => {
  // The reference fixture returns cross_attentions only; the timestamped export adds encoder and decoder attentions.
  assert.deepEqual(words(results.timestamped), words(results.reference));
  for (const s of multiWord(results.timestamped)) {
    const times = (s.words ?? []).map((x) => [x.start, x.end]);
    assert.notDeepEqual(times, spreadByLength(s), `segment ${s.start}-${s.end} has proportional word times`);
  }
});

test('plain layout: words are spread over each segment by length', () => {
  for (const s of multiWord(results.plain)) {
    assert.deepEqual(
      (s.words ?? []).map((x) => [x.start, x.end]),
      spreadByLength(s),
    );
  }
  assert.notDeepEqual(words(results.plain), words(results.reference));
});

test('validation tells the layouts apart: aligned word times only where the decoder exports cross-attention', async () => {
  assert.equal((await validateModelFolder(layoutFolder('timestamped', tmp))).wordTiming, 'aligned');
  assert.equal((await validateModelFolder(layoutFolder('plain', tmp))).wordTiming, 'approximate');
});
