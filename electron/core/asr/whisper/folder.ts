/**
 * A Whisper folder in the Hugging Face ONNX layout (onnx-community/whisper-*): JSON configs + tokenizer, and for each
 * weight variant an encoder and a merged decoder under onnx/. Checked file by file so that an import or a download is
 * refused with a message the user can act on instead of crashing the engine later.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  checkSession,
  type GraphIo,
  names,
  readJsonFile,
  type ValidateOptions,
  type ValidationResult,
  type WordTiming,
} from '../folder-checks.ts';

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

export async function validateWhisperFolder(dir: string, options: ValidateOptions = {}): Promise<ValidationResult> {
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
