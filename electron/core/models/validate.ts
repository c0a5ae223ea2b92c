/**
 * Checks that a folder is a usable model pack and says exactly what is missing or wrong, file by file, so an import
 * or a download is refused with a message the user can act on instead of crashing the engine later.
 *
 * Layouts:
 * - Speech models: each registered family checks its own (asr/families.ts; e.g. asr/whisper/folder.ts for the Hugging
 *   Face ONNX layout, asr/ctc/folder.ts for model.json + model.onnx packs).
 * - Diarization models (pyannote segmentation, WeSpeaker embeddings): layout in ../diarize/models/folder.ts, graphs in
 *   ../diarize/models/graph.ts.
 *
 * ONNX files are opened with real onnxruntime sessions (CPU, one thread, no graph optimisation: we only need the
 * signature) one at a time, and released straight away so large models do not pile up in memory.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  familyOfFolder,
  folderHints,
  isSpeechFamily,
  modelJsonFamilies,
  type SpeechFamilyId,
} from '../asr/families.ts';
import { checkSession, peekJson, type ValidateOptions, type ValidationResult } from '../asr/folder-checks.ts';
import {
  checkDiarizationFolder,
  DIARIZATION_VARIANT_FILES,
  type DiarizationFamily,
  diarizationFamilyOf,
  isDiarizationFamily,
} from '../diarize/models/folder.ts';
import { diarizationGraphProblems } from '../diarize/models/graph.ts';
import { dropGraphOutputs } from './onnx-outputs.ts';

export type { ValidateOptions, ValidationResult, WordTiming } from '../asr/folder-checks.ts';
export { isSpeechFamily } from '../asr/families.ts';
export { WHISPER_JSON_FILES, WHISPER_VARIANT_SUFFIX, whisperVariantFiles } from '../asr/whisper/folder.ts';

/** The speech-model families the engine runs (asr/families.ts). */
export type ModelFamily = SpeechFamilyId;

/**
 * The families a folder is validated as: the speech ones and the diarization ones (segmentation, speaker embeddings).
 * Catalog entries of any other family are installed as plain verified files.
 */
export type CheckedFamily = ModelFamily | DiarizationFamily;

export function isCheckedFamily(family: string): family is CheckedFamily {
  return isSpeechFamily(family) || isDiarizationFamily(family);
}

export async function validateModelFolder(dir: string, options: ValidateOptions = {}): Promise<ValidationResult> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    return { ok: false, problems: [`${dir} is not a folder`] };
  }
  const claimed = familyOfFolder(dir);
  if (claimed?.claim === 'yes') return claimed.family.validate(dir, options);
  // A readable model.json names its family; one no family claims is refused by name.
  const modelJson = peekJson(dir, 'model.json');
  if (modelJson) {
    const known = modelJsonFamilies()
      .map((f) => JSON.stringify(f))
      .join(' or ');
    return { ok: false, problems: [`model.json: family must be ${known} (found ${JSON.stringify(modelJson.family)})`] };
  }
  if (diarizationFamilyOf(dir)) return validateDiarization(dir, options);
  if (claimed) return claimed.family.validate(dir, options);
  return { ok: false, problems: [`not a model folder: expected ${folderHints()}`] };
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
