/**
 * Word error rate and real-time factor of a CTC model pack through the engine the app uses (loadSpeechModel).
 * Sets: tools/train/work/eval/manifest.jsonl (held-out sentences by training voices and by festival's unseen voices,
 * made by make_eval_sets.py) and the real speech in ../shared/data/speech (evaluation only, never trained on).
 *
 *   npx tsx tools/train/evaluate.ts [models/demo-en] [--threads N] [--beam N] [--json out.json]
 * --beam 1 is greedy decoding; without it the pack's own decoder settings apply.
 *
 * WER is normalised: lower case, punctuation and apostrophes removed, hyphens as spaces.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { decodeToPcm16k } from '../../electron/core/audio/index.ts';
import { loadSpeechModel } from '../../electron/core/asr/load-model.ts';

interface Item {
  set: string;
  audio: string;
  text: string;
}

export function normaliseForWer(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[-‐–—]/g, ' ')
    .replace(/[^a-z0-9 ]/g, '')
    .split(/\s+/)
    .filter(Boolean);
}

export function editDistance(ref: string[], hyp: string[]): number {
  let row = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const next = [i];
    for (let j = 1; j <= hyp.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[hyp.length];
}

function sharedSpeech(root: string): Item[] {
  const items: Item[] = [];
  for (const [set, dir] of [
    ['ljspeech', 'ljspeech'],
    ['librivox', 'librivox'],
    ['jfk', 'misc'],
  ]) {
    const tsv = path.join(root, dir, 'transcripts.tsv');
    if (!existsSync(tsv)) continue;
    for (const line of readFileSync(tsv, 'utf8').split('\n')) {
      const [id, ...rest] = line.split('\t');
      if (!id || rest.length === 0) continue;
      const file = ['.wav', '.flac', ''].map((ext) => path.join(root, dir, id + ext)).find((f) => existsSync(f));
      if (file) items.push({ set, audio: file, text: rest.join(' ') });
    }
  }
  return items;
}

async function main() {
  const args = process.argv.slice(2);
  const modelDir = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? 'models/demo-en';
  const threads = args.includes('--threads') ? Number(args[args.indexOf('--threads') + 1]) : 1;
  const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
  const beamSize = args.includes('--beam') ? Number(args[args.indexOf('--beam') + 1]) : undefined;
  const manifest = path.join(import.meta.dirname, 'work/eval/manifest.jsonl');
  const items: Item[] = existsSync(manifest)
    ? readFileSync(manifest, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
  items.push(...sharedSpeech(path.resolve(import.meta.dirname, '../../../shared/data/speech')));
  const model = await loadSpeechModel(modelDir, { device: 'cpu', threads });
  const totals = new Map<string, { errors: number; words: number; audio: number; compute: number; n: number }>();
  const examples: Record<string, { ref: string; hyp: string }[]> = {};
  for (const item of items) {
    const { samples } = await decodeToPcm16k(item.audio);
    const t0 = performance.now();
    const result = await model.transcribe({ samples, sampleRate: 16000 }, { beamSize }).result();
    const compute = (performance.now() - t0) / 1000;
    const ref = normaliseForWer(item.text);
    const hyp = normaliseForWer(result.text);
    const t = totals.get(item.set) ?? { errors: 0, words: 0, audio: 0, compute: 0, n: 0 };
    t.errors += editDistance(ref, hyp);
    t.words += ref.length;
    t.audio += samples.length / 16000;
    t.compute += compute;
    t.n++;
    totals.set(item.set, t);
    examples[item.set] ??= [];
    if (examples[item.set].length < 3) examples[item.set].push({ ref: ref.join(' '), hyp: hyp.join(' ') });
  }
  await model.dispose();
  const report = [...totals].map(([set, t]) => ({
    set,
    clips: t.n,
    words: t.words,
    wer: Math.round((1000 * t.errors) / t.words) / 10,
    audioSeconds: Math.round(t.audio),
    rtf: Math.round((1000 * t.compute) / t.audio) / 1000,
  }));
  console.table(report);
  for (const [set, ex] of Object.entries(examples)) console.log(set, JSON.stringify(ex[0]));
  if (jsonOut)
    writeFileSync(jsonOut, `${JSON.stringify({ model: modelDir, threads, beamSize, report, examples }, null, 2)}\n`);
}

if (process.argv[1]?.endsWith('evaluate.ts')) await main();
