/**
 * Grid search of the decoder's language-model weight (alpha) and word bonus (beta) on the development set
 * (tools/train/work/dev, made by make_dev_set.py), never on the evaluation sets. Prints WER per setting.
 *
 *   npx tsx tools/train/tune_decoder.ts [models/demo-en] [lm.json]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { decodeToPcm16k } from '../../electron/core/audio/index.ts';
import { beamSearch } from '../../electron/core/asr/ctc/beam.ts';
import { bestTokens, decodeGreedy, type FrameScores } from '../../electron/core/asr/ctc/greedy.ts';
import { BigramLm } from '../../electron/core/asr/ctc/lm.ts';
import { readCtcPack } from '../../electron/core/asr/ctc/pack.ts';
import { editDistance, normaliseForWer } from './evaluate.ts';

const modelDir = process.argv[2] ?? 'models/demo-en';
const pack = readCtcPack(modelDir);
const lm = BigramLm.load(process.argv[3] ?? path.join(modelDir, pack.decoder?.lm ?? 'lm.json'));
const session = await ort.InferenceSession.create(pack.onnxPath, { intraOpNumThreads: 2 });
const items = readFileSync(path.join(import.meta.dirname, 'work/dev/manifest.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as { audio: string; text: string });
const cases: { scores: FrameScores; ref: string[] }[] = [];
for (const item of items) {
  const { samples } = await decodeToPcm16k(item.audio);
  const out = (await session.run({ waveform: new ort.Tensor('float32', samples, [1, samples.length]) })).log_probs;
  cases.push({
    scores: { logProbs: out.data as Float32Array, frames: out.dims[1], vocabSize: out.dims[2] },
    ref: normaliseForWer(item.text),
  });
}
const words = cases.reduce((n, c) => n + c.ref.length, 0);
const wer = (decode: (s: FrameScores) => string) =>
  (100 * cases.reduce((e, c) => e + editDistance(c.ref, normaliseForWer(decode(c.scores))), 0)) / words;
const settings = { ...pack, windowStart: 0 };
console.log(
  'greedy',
  wer((s) =>
    decodeGreedy(s, settings)
      .words.map((w) => w.word)
      .join(' '),
  ).toFixed(1),
);
void bestTokens;
for (const alpha of [0.4, 0.5, 0.6]) {
  for (const beta of [1.5, 2, 2.5]) {
    const t0 = performance.now();
    const w = wer((s) => beamSearch(s, lm, { ...pack, beamSize: Number(process.env.BEAM ?? 16), alpha, beta }));
    console.log(`alpha ${alpha} beta ${beta}: WER ${w.toFixed(1)} (${Math.round(performance.now() - t0)} ms)`);
  }
}
