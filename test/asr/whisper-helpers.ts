/** Shared by the Whisper tests: media made at test time, and the reference (transformers.js) on the same folders. */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const FIXTURES = path.resolve('test/fixtures/models');
export const MULTILINGUAL = path.join(FIXTURES, 'whisper-tiny-random');
export const ENGLISH = path.join(FIXTURES, 'whisper-tiny.en-random');
export const V3 = path.join(FIXTURES, 'whisper-v3-tiny-random');
export const ASSETS = path.resolve('../shared/data/whisper-assets');

/** Decodes any media file to 16 kHz mono float32 with the ffmpeg CLI. */
export function decodePcm(file: string): Float32Array {
  const out = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-ar', '16000', '-ac', '1', '-f', 'f32le', '-'], {
    maxBuffer: 1 << 30,
  });
  return new Float32Array(out.buffer, out.byteOffset, out.length / 4).slice();
}

/** Speech synthesised by espeak-ng, decoded to 16 kHz. */
export function espeak(text: string): Float32Array {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-whisper-'));
  try {
    const wav = path.join(dir, 'speech.wav');
    execFileSync('espeak-ng', ['-v', 'en-us', '-s', '160', '-w', wav, text]);
    return decodePcm(wav);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function seededNoise(seconds: number, seed = 7, amplitude = 0.1): Float32Array {
  let a = seed;
  const out = new Float32Array(seconds * 16000);
  for (let i = 0; i < out.length; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    out[i] = (a / 4294967296 - 0.5) * 2 * amplitude;
  }
  return out;
}

/** Repeats/pads `audio` to exactly `seconds`. */
export function toLength(audio: Float32Array, seconds: number): Float32Array {
  const out = new Float32Array(seconds * 16000);
  for (let i = 0; i < out.length; i++) out[i] = audio[i % audio.length];
  return out;
}

/** mel_80 / mel_128 from Whisper's mel_filters.npz, read in place (unzip -p + the .npy header). */
export function npzFilters(name: 'mel_80' | 'mel_128'): Float32Array {
  const npy = execFileSync('unzip', ['-p', path.join(ASSETS, 'mel_filters.npz'), `${name}.npy`], {
    maxBuffer: 1 << 26,
  });
  const headerLen = npy.readUInt16LE(8);
  const data = npy.subarray(10 + headerLen);
  return new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length));
}

type Transformers = typeof import('@huggingface/transformers');

let transformers: Promise<Transformers> | null = null;

/** transformers.js pointed at our fixture folder, never at the network. */
export async function reference(): Promise<Transformers> {
  transformers ??= import('@huggingface/transformers').then((t) => {
    t.env.allowRemoteModels = false;
    t.env.allowLocalModels = true;
    t.env.localModelPath = `${FIXTURES}/`;
    return t;
  });
  return transformers;
}

/**
 * The reference's (transformers.js) language for `audio`: the most likely language token after
 * <|startoftranscript|> on the first 30 s window, from its own features, encoder and decoder.
 */
export async function referenceLanguage(dir: string, audio: Float32Array, languages: Map<string, number>, sot: number) {
  const t = await reference();
  const name = path.basename(dir);
  const model = await t.WhisperForConditionalGeneration.from_pretrained(name, { dtype: 'fp32' });
  const processor = await t.AutoProcessor.from_pretrained(name);
  const { input_features } = await processor(audio);
  const decoder_input_ids = new t.Tensor('int64', BigInt64Array.from([BigInt(sot)]), [1, 1]);
  const out = (await (model as unknown as (i: object) => Promise<{ logits: { data: Float32Array; dims: number[] } }>)({
    input_features,
    decoder_input_ids,
  })) as { logits: { data: Float32Array; dims: number[] } };
  const vocab = out.logits.dims.at(-1) as number;
  const row = out.logits.data.subarray(out.logits.data.length - vocab);
  let best = '';
  for (const [code, id] of languages) if (best === '' || row[id] > row[languages.get(best) as number]) best = code;
  await (model as unknown as { dispose(): Promise<void> }).dispose();
  return best;
}

/**
 * transformers.js' Whisper timestamp processor lacks two of Whisper's rules (openai/whisper and HF transformers
 * both have them): the first timestamp may be at most max_initial_timestamp_index, and timestamps never decrease.
 * The oracle adds exactly those two masks before its own processor runs, so both sides implement the same rules.
 */
export async function missingTimestampRules(initTokens: number, timestampBegin: number, maxInitial: number) {
  const t = await reference();
  class WhisperTimestampExtras extends t.LogitsProcessor {
    override _call(inputIds: bigint[][], logits: InstanceType<Transformers['Tensor']>) {
      for (let i = 0; i < inputIds.length; i++) {
        const row = (logits as unknown as { data: Float32Array }[])[i].data;
        const seq = inputIds[i].slice(initTokens).map(Number);
        if (seq.length === 0) {
          row.fill(Number.NEGATIVE_INFINITY, timestampBegin + maxInitial + 1);
          continue;
        }
        const stamps = seq.filter((x) => x >= timestampBegin);
        if (stamps.length === 0) continue;
        const lastWas = seq[seq.length - 1] >= timestampBegin;
        const penultimateWas = seq.length < 2 || seq[seq.length - 2] >= timestampBegin;
        const last = stamps[stamps.length - 1];
        row.fill(Number.NEGATIVE_INFINITY, timestampBegin, lastWas && !penultimateWas ? last : last + 1);
      }
      return logits;
    }
  }
  const list = new t.LogitsProcessorList();
  list.push(new WhisperTimestampExtras());
  return list;
}

/**
 * The English fixture in the output layout a real repository ships (tools/fixtures/make_layout_variant.py): its JSON
 * files and weights, with the ONNX files of `layouts/<layout>/` over them. Same weights, different graph outputs.
 */
export function layoutFolder(layout: 'timestamped' | 'plain', into: string): string {
  const dir = path.join(into, `whisper-tiny.en-random_${layout}`);
  cpSync(ENGLISH, dir, { recursive: true });
  const variant = path.join(FIXTURES, 'layouts', layout, 'whisper-tiny.en-random');
  for (const name of readdirSync(variant)) cpSync(path.join(variant, name), path.join(dir, 'onnx', name));
  return dir;
}
