/**
 * Reads a Whisper folder in the Hugging Face ONNX layout: model dimensions (config.json), decoding defaults
 * (generation_config.json), features (preprocessor_config.json), and picks the ONNX weight variant for the device.
 * Every special-token id is looked up in the tokenizer rather than assumed: .en models are one lower, large-v3 adds
 * a language and shifts the rest.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EarshotError } from '../../errors.ts';
import { validateWhisperFolder, whisperVariantFiles } from './folder.ts';
import type { DeviceInfo } from '../types.ts';
import type { WhisperTokenizer } from './tokenizer.ts';

export interface WhisperDims {
  nMels: number;
  dModel: number;
  decoderLayers: number;
  decoderHeads: number;
  vocabSize: number;
  maxTargetPositions: number;
  maxSourcePositions: number;
}

export interface SpecialTokens {
  eot: number;
  sot: number;
  translate?: number;
  transcribe?: number;
  startOfPrev?: number;
  noSpeech?: number;
  noTimestamps: number;
  timestampBegin: number;
  /** language code → token id (empty for English-only models). */
  languages: Map<string, number>;
}

export interface WhisperGeneration {
  suppressTokens: number[];
  beginSuppressTokens: number[];
  maxInitialTimestampIndex: number | null;
  isMultilingual: boolean;
  alignmentHeads: [number, number][];
  maxLength: number;
}

export const VARIANTS = ['fp32', 'fp16', 'quantized', 'q4'] as const;
export type WeightVariant = (typeof VARIANTS)[number];

function readJson(dir: string, name: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path.join(dir, name), 'utf8'));
  } catch (e) {
    throw new EarshotError('MODEL_INVALID', `${path.join(dir, name)}: ${(e as Error).message}`);
  }
}

/** Checks files and JSON (the model manager's validator) and lists the complete weight variants. */
export async function checkWhisperFolder(dir: string): Promise<WeightVariant[]> {
  if (!existsSync(dir)) throw new EarshotError('MODEL_NOT_FOUND', `Model folder not found: ${dir}`);
  const result = await validateWhisperFolder(dir, { checkOnnx: false });
  if (!result.ok) {
    throw new EarshotError('MODEL_INVALID', `${dir} is not a usable Whisper model: ${result.problems.join('; ')}`, {
      problems: result.problems,
    });
  }
  return (result.variants ?? []).filter((v): v is WeightVariant => (VARIANTS as readonly string[]).includes(v));
}

/**
 * fp16 on GPUs (int8 cannot run on the CUDA EP, and dequantizing first is slower than fp32); on CPU the quantized
 * weights when present (about a third faster), else fp32. A variant the user names must exist.
 */
export function chooseVariant(
  available: WeightVariant[],
  provider: DeviceInfo['provider'],
  requested?: string,
): WeightVariant {
  if (requested) {
    if (!(VARIANTS as readonly string[]).includes(requested)) {
      throw new EarshotError('INVALID_PARAMETER', `Unknown weight variant '${requested}' (use ${VARIANTS.join(', ')})`);
    }
    if (!available.includes(requested as WeightVariant)) {
      throw new EarshotError(
        'MODEL_INVALID',
        `Weight variant '${requested}' is not in this model (it has: ${available.join(', ') || 'none'})`,
      );
    }
    return requested as WeightVariant;
  }
  const order: WeightVariant[] = provider === 'cpu' ? ['quantized', 'fp32', 'fp16', 'q4'] : ['fp16', 'fp32', 'q4'];
  const pick = order.find((v) => available.includes(v)) ?? available[0];
  if (!pick) throw new EarshotError('MODEL_INVALID', 'No complete encoder + decoder pair in onnx/');
  return pick;
}

export function variantPaths(dir: string, variant: WeightVariant): { encoder: string; decoder: string } {
  const files = whisperVariantFiles(variant);
  return { encoder: path.join(dir, files.encoder), decoder: path.join(dir, files.decoder) };
}

export function readDims(dir: string): WhisperDims {
  const c = readJson(dir, 'config.json');
  const num = (key: string, fallback?: number): number => {
    const v = c[key] ?? fallback;
    if (typeof v !== 'number') throw new EarshotError('MODEL_INVALID', `config.json: ${key} must be a number`);
    return v;
  };
  return {
    nMels: num('num_mel_bins'),
    dModel: num('d_model'),
    decoderLayers: num('decoder_layers'),
    decoderHeads: num('decoder_attention_heads'),
    vocabSize: num('vocab_size'),
    maxTargetPositions: num('max_target_positions', 448),
    maxSourcePositions: num('max_source_positions', 1500),
  };
}

export function readGeneration(dir: string, tokens: SpecialTokens): WhisperGeneration {
  const g = readJson(dir, 'generation_config.json');
  const c = readJson(dir, 'config.json');
  const list = (v: unknown): number[] => (Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : []);
  return {
    suppressTokens: list(g.suppress_tokens ?? c.suppress_tokens),
    beginSuppressTokens: list(g.begin_suppress_tokens ?? c.begin_suppress_tokens ?? [220, tokens.eot]),
    maxInitialTimestampIndex: typeof g.max_initial_timestamp_index === 'number' ? g.max_initial_timestamp_index : 50,
    isMultilingual: typeof g.is_multilingual === 'boolean' ? g.is_multilingual : tokens.languages.size > 0,
    alignmentHeads: Array.isArray(g.alignment_heads) ? (g.alignment_heads as [number, number][]) : [],
    maxLength: typeof g.max_length === 'number' ? g.max_length : 448,
  };
}

export function specialTokens(tokenizer: WhisperTokenizer): SpecialTokens {
  const id = (t: string) => tokenizer.tokenId(t);
  const need = (t: string): number => {
    const v = id(t);
    if (v === undefined) throw new EarshotError('MODEL_INVALID', `tokenizer.json has no ${t} token`);
    return v;
  };
  const noTimestamps = need('<|notimestamps|>');
  const languages = new Map<string, number>();
  for (const [token, tokenId] of tokenizer.addedTokens()) {
    const m = /^<\|([a-z]{2,3})\|>$/.exec(token);
    if (m && tokenId > need('<|startoftranscript|>') && tokenId < noTimestamps) languages.set(m[1], tokenId);
  }
  return {
    eot: need('<|endoftext|>'),
    sot: need('<|startoftranscript|>'),
    translate: id('<|translate|>'),
    transcribe: id('<|transcribe|>'),
    startOfPrev: id('<|startofprev|>'),
    noSpeech: id('<|nospeech|>') ?? id('<|nocaptions|>'),
    noTimestamps,
    timestampBegin: need('<|0.00|>'),
    languages,
  };
}
