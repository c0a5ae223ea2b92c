/**
 * Checks that a folder is a usable model pack and says exactly what is missing or wrong, file by file, so an import
 * or a download is refused with a message the user can act on instead of crashing the engine later.
 *
 * Layouts:
 * - Whisper in the Hugging Face ONNX layout (onnx-community/whisper-*): JSON configs + tokenizer, and for each weight
 *   variant an encoder and a merged decoder under onnx/.
 * - CTC packs: model.json (family "ctc") + model.onnx.
 * - Diarization models (pyannote segmentation, WeSpeaker embeddings): layout in ../diarize/models/folder.ts, graphs in
 *   ../diarize/models/graph.ts.
 *
 * ONNX files are opened with real onnxruntime sessions (CPU, one thread, no graph optimisation: we only need the
 * signature) one at a time, and released straight away so large models do not pile up in memory.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createSession, SessionCreateError } from '../onnx/device.ts';
import {
  checkDiarizationFolder,
  DIARIZATION_VARIANT_FILES,
  type DiarizationFamily,
  diarizationFamilyOf,
  isDiarizationFamily,
} from '../diarize/models/folder.ts';
import { diarizationGraphProblems } from '../diarize/models/graph.ts';
import { dropGraphOutputs } from './onnx-outputs.ts';

/** The speech-model families the engine runs. */
export type ModelFamily = 'whisper' | 'ctc';

/**
 * The families a folder is validated as: the speech ones and the diarization ones (segmentation, speaker embeddings).
 * Catalog entries of any other family are installed as plain verified files.
 */
export type CheckedFamily = ModelFamily | DiarizationFamily;

export function isSpeechFamily(family: string): family is ModelFamily {
  return family === 'whisper' || family === 'ctc';
}

export function isCheckedFamily(family: string): family is CheckedFamily {
  return isSpeechFamily(family) || isDiarizationFamily(family);
}

/** 'aligned': cross-attention outputs and alignment heads, so word times come from the audio; else 'approximate'. */
export type WordTiming = 'aligned' | 'approximate';

export interface ValidationResult {
  ok: boolean;
  family?: CheckedFamily;
  problems: string[];
  /** Complete weight variants (Whisper: fp32, fp16, quantized, q4; CTC: ['fp32']) whose ONNX files passed. */
  variants?: string[];
  /** Whisper, when the decoders were opened: whether every checked decoder lets words be aligned on the audio. */
  wordTiming?: WordTiming;
}

export interface ValidateOptions {
  /** Open ONNX sessions to check inputs and outputs (default true). Off: files and JSON only. */
  checkOnnx?: boolean;
  /** Only check these Whisper variants' ONNX files (others are still listed when present and complete). */
  variants?: string[];
}

/** Weight variant → file-name suffix, as the onnx-community exports name them. */
export const WHISPER_VARIANT_SUFFIX: Record<string, string> = {
  fp32: '',
  fp16: '_fp16',
  quantized: '_quantized',
  q4: '_q4',
};

export const WHISPER_JSON_FILES = [
  'config.json',
  'generation_config.json',
  'preprocessor_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
] as const;

export function whisperVariantFiles(variant: string): { encoder: string; decoder: string } {
  const suffix = WHISPER_VARIANT_SUFFIX[variant];
  if (suffix === undefined) throw new Error(`unknown Whisper weight variant '${variant}'`);
  return { encoder: `onnx/encoder_model${suffix}.onnx`, decoder: `onnx/decoder_model_merged${suffix}.onnx` };
}

export async function validateModelFolder(dir: string, options: ValidateOptions = {}): Promise<ValidationResult> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    return { ok: false, problems: [`${dir} is not a folder`] };
  }
  if (existsSync(path.join(dir, 'model.json'))) {
    const family = readJsonFile(dir, 'model.json', []);
    if (family && (family as { family?: unknown }).family !== 'ctc') {
      return {
        ok: false,
        problems: [
          `model.json: family must be "ctc" (found ${JSON.stringify((family as { family?: unknown }).family)})`,
        ],
      };
    }
    return validateCtc(dir, options);
  }
  if (diarizationFamilyOf(dir)) return validateDiarization(dir, options);
  if (existsSync(path.join(dir, 'config.json'))) return validateWhisper(dir, options);
  return {
    ok: false,
    problems: [
      'not a model folder: expected model.json (CTC pack) or config.json with model_type "whisper" (Whisper ONNX layout)',
    ],
  };
}

async function validateWhisper(dir: string, options: ValidateOptions): Promise<ValidationResult> {
  const problems: string[] = [];
  const json: Record<string, Record<string, unknown> | undefined> = {};
  for (const name of WHISPER_JSON_FILES) json[name] = readJsonFile(dir, name, problems);

  const config = json['config.json'];
  let melBins: number | undefined;
  let decoderLayers: number | undefined;
  if (config) {
    if (config.model_type !== 'whisper') {
      problems.push(`config.json: model_type must be "whisper" (found ${JSON.stringify(config.model_type)})`);
    }
    if (config.num_mel_bins !== 80 && config.num_mel_bins !== 128) {
      problems.push(`config.json: num_mel_bins must be 80 or 128 (found ${JSON.stringify(config.num_mel_bins)})`);
    } else melBins = config.num_mel_bins;
    if (typeof config.decoder_layers === 'number') decoderLayers = config.decoder_layers;
    else problems.push('config.json: decoder_layers must be a number');
  }
  const pre = json['preprocessor_config.json'];
  if (pre && melBins !== undefined && pre.feature_size !== melBins) {
    problems.push(
      `preprocessor_config.json: feature_size (${JSON.stringify(pre.feature_size)}) must equal config.json num_mel_bins (${melBins})`,
    );
  }
  const gen = json['generation_config.json'];
  if (gen && typeof gen.decoder_start_token_id !== 'number') {
    problems.push('generation_config.json: decoder_start_token_id must be a number');
  }

  // Variants: a variant needs both halves; a lone half is reported as the missing other half.
  const complete: string[] = [];
  let anyOnnx = false;
  for (const variant of Object.keys(WHISPER_VARIANT_SUFFIX)) {
    const files = whisperVariantFiles(variant);
    const hasEncoder = existsSync(path.join(dir, files.encoder));
    const hasDecoder = existsSync(path.join(dir, files.decoder));
    if (hasEncoder || hasDecoder) anyOnnx = true;
    if (hasEncoder && !hasDecoder) problems.push(`missing ${files.decoder} (needed for variant ${variant})`);
    if (hasDecoder && !hasEncoder) problems.push(`missing ${files.encoder} (needed for variant ${variant})`);
    if (hasEncoder && hasDecoder) complete.push(variant);
  }
  if (!anyOnnx) {
    problems.push(
      'missing ONNX weights: need onnx/encoder_model{,_fp16,_quantized,_q4}.onnx and onnx/decoder_model_merged with the same suffix (at least one variant)',
    );
  }

  const passed: string[] = [];
  const crossAttentions: boolean[] = [];
  for (const variant of complete) {
    if (options.checkOnnx === false || (options.variants && !options.variants.includes(variant))) {
      passed.push(variant);
      continue;
    }
    const files = whisperVariantFiles(variant);
    const before = problems.length;
    await checkSession(dir, files.encoder, problems, (io) => checkWhisperEncoder(files.encoder, io, melBins));
    await checkSession(dir, files.decoder, problems, (io) => {
      crossAttentions.push(io.outputs.some((o) => o.name === 'cross_attentions.0'));
      return checkWhisperDecoder(files.decoder, io, decoderLayers);
    });
    if (problems.length === before) passed.push(variant);
  }
  const heads = Array.isArray(gen?.alignment_heads) && gen.alignment_heads.length > 0;
  const wordTiming: WordTiming | undefined =
    crossAttentions.length === 0 ? undefined : heads && crossAttentions.every(Boolean) ? 'aligned' : 'approximate';
  return { ok: problems.length === 0 && passed.length > 0, family: 'whisper', problems, variants: passed, wordTiming };
}

/**
 * Drops every encoder output but last_hidden_state from the given Whisper encoder files (the *_timestamped exports add
 * encoder_attentions.*, which onnxruntime would keep in memory on every window; see onnx-outputs.ts). Returns the
 * dropped outputs per file.
 */
export async function trimWhisperEncoders(dir: string, rels: string[]): Promise<Record<string, string[]>> {
  const trimmed: Record<string, string[]> = {};
  for (const rel of rels) {
    if (!/^onnx\/encoder_model[\w]*\.onnx$/.test(rel)) continue;
    const dropped = await dropGraphOutputs(path.join(dir, rel), (name) => name === 'last_hidden_state');
    if (dropped.length > 0) trimmed[rel] = dropped;
  }
  return trimmed;
}

async function validateCtc(dir: string, options: ValidateOptions): Promise<ValidationResult> {
  const problems: string[] = [];
  const meta = readJsonFile(dir, 'model.json', problems);
  if (meta) {
    if (typeof meta.name !== 'string' || meta.name === '') problems.push('model.json: name must be a non-empty string');
    if (meta.languages !== undefined && !isStringArray(meta.languages)) {
      problems.push('model.json: languages must be a list of language codes');
    }
  }
  if (!existsSync(path.join(dir, 'model.onnx'))) problems.push('missing model.onnx');
  else if (options.checkOnnx !== false) {
    await checkSession(dir, 'model.onnx', problems, (io) => {
      const out: string[] = [];
      if (io.inputs.length === 0) out.push('model.onnx: the graph has no inputs');
      if (io.outputs.length === 0) out.push('model.onnx: the graph has no outputs');
      return out;
    });
  }
  return { ok: problems.length === 0, family: 'ctc', problems, variants: problems.length === 0 ? ['fp32'] : [] };
}

/** Segmentation or speaker-embedding models: their layout (../diarize/models), then each variant's graph. */
async function validateDiarization(dir: string, options: ValidateOptions): Promise<ValidationResult> {
  const check = checkDiarizationFolder(dir);
  const problems = [...check.problems];
  const passed: string[] = [];
  for (const variant of check.variants) {
    const family = check.family;
    if (!family || options.checkOnnx === false || (options.variants && !options.variants.includes(variant))) {
      passed.push(variant);
      continue;
    }
    const before = problems.length;
    const file = DIARIZATION_VARIANT_FILES[variant];
    await checkSession(dir, file, problems, (io) =>
      diarizationGraphProblems(file, family, check.wespeaker?.melBins, io),
    );
    if (problems.length === before) passed.push(variant);
  }
  return { ok: problems.length === 0 && passed.length > 0, family: check.family, problems, variants: passed };
}

interface GraphIo {
  inputs: { name: string; shape?: readonly (number | string)[] }[];
  outputs: { name: string; shape?: readonly (number | string)[] }[];
}

function checkWhisperEncoder(file: string, io: GraphIo, melBins?: number): string[] {
  const out: string[] = [];
  const features = io.inputs.find((i) => i.name === 'input_features');
  if (!features) out.push(`${file}: missing input input_features (found ${names(io.inputs)})`);
  else if (melBins !== undefined && typeof features.shape?.[1] === 'number' && features.shape[1] !== melBins) {
    out.push(`${file}: input_features has ${features.shape[1]} mel bins but config.json says ${melBins}`);
  }
  if (!io.outputs.some((o) => o.name === 'last_hidden_state')) {
    out.push(`${file}: missing output last_hidden_state (found ${names(io.outputs)})`);
  }
  return out;
}

function checkWhisperDecoder(file: string, io: GraphIo, decoderLayers?: number): string[] {
  const out: string[] = [];
  for (const name of ['input_ids', 'encoder_hidden_states', 'use_cache_branch']) {
    if (!io.inputs.some((i) => i.name === name)) out.push(`${file}: missing input ${name}`);
  }
  const past = io.inputs.filter((i) => i.name.startsWith('past_key_values.')).map((i) => i.name);
  const present = io.outputs.filter((o) => o.name.startsWith('present.')).map((o) => o.name);
  if (past.length === 0) out.push(`${file}: missing inputs past_key_values.* (not a merged decoder with KV cache)`);
  if (!io.outputs.some((o) => o.name === 'logits')) out.push(`${file}: missing output logits`);
  if (present.length === 0) out.push(`${file}: missing outputs present.*`);
  const unmatched = past.filter((p) => !present.includes(p.replace('past_key_values.', 'present.')));
  if (present.length > 0 && unmatched.length > 0) {
    out.push(`${file}: inputs without a matching present.* output: ${unmatched.join(', ')}`);
  }
  // Each decoder layer carries four caches: decoder key/value and encoder key/value.
  if (decoderLayers !== undefined && past.length > 0 && past.length !== decoderLayers * 4) {
    out.push(
      `${file}: has ${past.length} past_key_values.* inputs but config.json decoder_layers=${decoderLayers} needs ${decoderLayers * 4}`,
    );
  }
  return out;
}

async function checkSession(
  dir: string,
  file: string,
  problems: string[],
  check: (io: GraphIo) => string[],
): Promise<void> {
  let created: Awaited<ReturnType<typeof createSession>>;
  try {
    created = await createSession(path.join(dir, file), {
      device: 'cpu',
      threads: 1,
      options: { graphOptimizationLevel: 'disabled' },
    });
  } catch (e) {
    if (!(e instanceof SessionCreateError)) throw e;
    problems.push(`${file}: onnxruntime cannot load it (${e.reasonFor('cpu')})`);
    return;
  }
  const { session } = created;
  try {
    const inputs = session.inputMetadata.map((m) => ({ name: m.name, shape: m.isTensor ? m.shape : undefined }));
    const outputs = session.outputMetadata.map((m) => ({ name: m.name, shape: m.isTensor ? m.shape : undefined }));
    problems.push(...check({ inputs, outputs }));
  } finally {
    await session.release();
  }
}

function readJsonFile(dir: string, name: string, problems: string[]): Record<string, unknown> | undefined {
  const file = path.join(dir, name);
  if (!existsSync(file)) {
    problems.push(`missing ${name}`);
    return undefined;
  }
  try {
    const value = JSON.parse(readFileSync(file, 'utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    problems.push(`${name}: expected a JSON object`);
  } catch (e) {
    problems.push(`${name}: not valid JSON (${(e as Error).message})`);
  }
  return undefined;
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

function names(list: { name: string }[]): string {
  return list.length ? list.map((x) => x.name).join(', ') : 'none';
}
