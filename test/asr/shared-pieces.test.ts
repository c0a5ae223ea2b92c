/**
 * The pieces every model family shares (asr/): block-wise speech planning over a stream, region packing, and what each
 * family asks of them. Whisper's batched windows and CTC's windows are both built on these, with the family's own
 * padding (Whisper 200 ms, CTC 300 ms, as before they were shared).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ctcFamily } from '../../electron/core/asr/ctc/family.ts';
import { windowsFromRegions } from '../../electron/core/asr/ctc/windows.ts';
import { ArraySource } from '../../electron/core/asr/pcm-source.ts';
import { cutRegions, packRegionGroups } from '../../electron/core/asr/region-packing.ts';
import { type SpeechBlock, speechBlocks } from '../../electron/core/asr/speech-blocks.ts';
import { whisperFamily } from '../../electron/core/asr/whisper/family.ts';
import { packSpeech } from '../../electron/core/asr/whisper/speech-regions.ts';

const r = (start: number, end: number) => ({ start, end });

test('packing by timeline counts the silence between regions; packing by speech leaves it out', () => {
  const regions = [r(0, 4), r(8, 12), r(20, 24)];
  assert.deepEqual(
    packRegionGroups(regions, 12, 'timeline').map((g) => g.length),
    [2, 1],
  );
  assert.deepEqual(
    packRegionGroups(regions, 12, 'speech').map((g) => g.length),
    [3],
  );
  // A region longer than the window is a group of its own, and the next region does not join it.
  assert.deepEqual(packRegionGroups([r(0, 1), r(2, 40), r(41, 42)], 30, 'timeline'), [
    [r(0, 1)],
    [r(2, 40)],
    [r(41, 42)],
  ]);
});

test('CTC windows span their regions with the silence between; Whisper windows hold only the speech', () => {
  const regions = [r(0, 4), r(8, 12), r(20, 24)];
  assert.deepEqual(
    windowsFromRegions(regions, 12).map((w) => [w.start, w.end]),
    [
      [0, 12],
      [20, 24],
    ],
  );
  const packed = packSpeech(regions, 12);
  assert.equal(packed.length, 1);
  assert.equal(packed[0].duration, 12);
  assert.deepEqual(packed[0].pieces, regions);
  // Whisper cuts a long region into window-sized pieces first.
  assert.deepEqual(cutRegions([r(0, 70)], 30), [r(0, 30), r(30, 60), r(60, 70)]);
  assert.deepEqual(
    packSpeech([r(0, 70)], 30).map((w) => w.duration),
    [30, 30, 10],
  );
});

test('each family keeps its own VAD padding', () => {
  assert.equal(whisperFamily.defaults.vad.speechPadMs, 200);
  assert.equal(ctcFamily.defaults.vad.speechPadMs, 300);
  assert.equal(whisperFamily.defaults.options.mode, 'batched');
});

test('speech blocks: known regions clipped per block, speech running into a block end moved whole to the next', async () => {
  const seconds = 25;
  const source = new ArraySource(new Float32Array(seconds * 16000));
  const seen: { from: number; to: number }[] = [];
  const blocks: SpeechBlock[] = [];
  for await (const b of speechBlocks(source, {
    vad: whisperFamily.defaults.vad,
    blockSeconds: 10,
    lookaheadSamples: 16000,
    regions: [r(1, 3), r(8.5, 12), r(15, 16), r(19.99, 22)],
    onSpeech: (s) => seen.push({ from: s.from, to: s.to }),
  })) {
    blocks.push(b);
  }
  // Block 1 [0, 10) ends inside 8.5–12, so it stops at 8.5 and the region goes whole to the next block.
  assert.deepEqual(
    blocks.map((b) => [b.from, b.end / 16000, b.regions.map((x) => [x.start, x.end])]),
    [
      [0, 8.5, [[1, 3]]],
      [
        8.5,
        18.5,
        [
          [8.5, 12],
          [15, 16],
        ],
      ],
      [18.5, 25, [[19.99, 22]]],
    ],
  );
  assert.deepEqual(seen, [
    { from: 0, to: 8.5 },
    { from: 8.5, to: 18.5 },
    { from: 18.5, to: 25 },
  ]);
});
