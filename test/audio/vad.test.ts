import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { decodeToPcm16k, detectSpeech, packRegions, type SpeechRegion } from '../../electron/core/audio/index.ts';

let dir: string;
let file: string;
/** Where speech really is, from the lengths of the pieces we joined. */
const truth: SpeechRegion[] = [];

const sentences = [
  'The quick brown fox jumps over the lazy dog.',
  'Transcription runs locally on your own computer.',
  'Nothing leaves the machine.',
];
const silences = [1.2, 1.5, 2.0, 1.0]; // before, between, between, after

function seconds(wav: string): number {
  return Number(execFileSync('soxi', ['-D', wav]).toString().trim());
}

before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-vad-test-'));
  const parts: string[] = [];
  let t = 0;
  const silence = (s: number, i: number) => {
    const f = path.join(dir, `sil${i}.wav`);
    execFileSync('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', f, 'trim', '0', String(s)]);
    parts.push(f);
    t += seconds(f);
  };
  sentences.forEach((text, i) => {
    silence(silences[i], i);
    const raw = path.join(dir, `raw${i}.wav`);
    const trimmed = path.join(dir, `speech${i}.wav`);
    execFileSync('espeak-ng', ['-s', '160', '-w', raw, text]);
    // Cut espeak's own leading and trailing silence so the joined file's speech boundaries are known exactly.
    execFileSync('sox', [
      raw,
      '-r',
      '16000',
      '-c',
      '1',
      '-b',
      '16',
      trimmed,
      'silence',
      '1',
      '0.02',
      '0.5%',
      'reverse',
      'silence',
      '1',
      '0.02',
      '0.5%',
      'reverse',
    ]);
    parts.push(trimmed);
    const length = seconds(trimmed);
    truth.push({ start: t, end: t + length });
    t += length;
  });
  silence(silences[3], 3);
  file = path.join(dir, 'speech-and-silence.wav');
  execFileSync('sox', [...parts, file]);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('Silero VAD finds each spoken sentence within 100 ms', async () => {
  const { samples } = await decodeToPcm16k(file);
  // Sentence-internal pauses are shorter than 400 ms; the silences between sentences are 1.5 s or more.
  const regions = await detectSpeech(samples, { minSilenceMs: 400 });
  assert.equal(regions.length, truth.length, JSON.stringify(regions));
  regions.forEach((r, i) => {
    assert.ok(Math.abs(r.start - truth[i].start) <= 0.1, `start ${r.start} vs ${truth[i].start}`);
    assert.ok(Math.abs(r.end - truth[i].end) <= 0.1, `end ${r.end} vs ${truth[i].end}`);
  });
});

test('pure silence and pure tone have no speech', async () => {
  assert.deepEqual(await detectSpeech(new Float32Array(16000 * 3)), []);
  const tone = new Float32Array(16000 * 3).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / 16000));
  assert.deepEqual(await detectSpeech(tone), []);
});

test('options change the result: a higher minimum speech length drops short regions', async () => {
  const { samples } = await decodeToPcm16k(file);
  const regions = await detectSpeech(samples, { minSilenceMs: 400, minSpeechMs: 2000 });
  // Only the first two sentences last longer than 2 s.
  assert.equal(regions.length, truth.filter((r) => r.end - r.start >= 2).length);
});

test('a cancelled VAD run stops with CANCELLED', async () => {
  await assert.rejects(detectSpeech(new Float32Array(16000 * 60), { signal: AbortSignal.abort() }), {
    code: 'CANCELLED',
  });
});

test('packRegions packs in order into windows of at most 30 s and splits long regions', () => {
  const regions = [
    { start: 0, end: 10 },
    { start: 12, end: 25 },
    { start: 26, end: 29 },
    { start: 31, end: 40 },
    { start: 50, end: 125 },
  ];
  const windows = packRegions(regions);
  for (const w of windows) {
    assert.ok(w.end - w.start <= 30);
    assert.equal(w.start, w.regions[0].start);
    assert.equal(w.end, w.regions.at(-1)!.end);
  }
  assert.deepEqual(
    windows.map((w) => [w.start, w.end]),
    [
      [0, 29],
      [31, 40],
      [50, 80],
      [80, 110],
      [110, 125],
    ],
  );
  const covered = windows.flatMap((w) => w.regions).reduce((s, r) => s + (r.end - r.start), 0);
  assert.equal(
    covered,
    regions.reduce((s, r) => s + (r.end - r.start), 0),
  );
  assert.deepEqual(packRegions([]), []);
  assert.equal(
    packRegions(regions, 10).every((w) => w.end - w.start <= 10),
    true,
  );
});
