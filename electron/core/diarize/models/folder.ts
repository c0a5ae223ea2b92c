/**
 * Diarization model folders, in the layouts of the public ONNX exports that transformers.js runs:
 * - pyannote segmentation (onnx-community/pyannote-segmentation-3.0): config.json with model_type "pyannote",
 *   preprocessor_config.json (PyAnnoteFeatureExtractor: sampling_rate, step, offset), onnx/model{,_fp16,_quantized}.onnx
 *   taking the waveform [batch, 1, samples] and giving per-frame scores of the 7 powerset classes;
 * - WeSpeaker ResNet embeddings (onnx-community/wespeaker-voxceleb-resnet34-LM): config.json with model_type
 *   "wespeaker-resnet", preprocessor_config.json (WeSpeakerFeatureExtractor: 80 mel bins, 16 kHz),
 *   onnx/model{,_fp16,_quantized}.onnx taking fbank features [batch, frames, 80] and giving one embedding per row.
 * `checkDiarizationFolder` lists exactly what is missing or wrong; the model manager calls it for imports and
 * downloads, the loaders before opening a session.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type * as ort from 'onnxruntime-node';
import { createSession } from '../../onnx/device.ts';
import { EarshotError } from '../../errors.ts';
import { readJsonObjectSync } from '../../fs-atomic.ts';

export type DiarizationFamily = 'pyannote' | 'wespeaker';

/** Catalog and installed-model families that are diarization models (validated as such, never transcribing). */
export function isDiarizationFamily(family: string): family is DiarizationFamily {
  return family === 'pyannote' || family === 'wespeaker';
}

/** Weight variant → file, as the onnx-community exports name them. */
export const DIARIZATION_VARIANT_FILES: Record<string, string> = {
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
  quantized: 'onnx/model_quantized.onnx',
};

const MODEL_TYPES: Record<string, DiarizationFamily> = { pyannote: 'pyannote', 'wespeaker-resnet': 'wespeaker' };

export interface PyannoteConfig {
  samplingRate: number;
  /** Samples between output frames. */
  step: number;
  /** Samples of the first frame's receptive field beyond one step (transformers.js: frames = (n - offset) / step). */
  offset: number;
}

export interface WespeakerConfig {
  samplingRate: number;
  melBins: number;
  minFrames: number;
}

export interface FolderCheck {
  family?: DiarizationFamily;
  problems: string[];
  /** Weight variants present. */
  variants: string[];
  pyannote?: PyannoteConfig;
  wespeaker?: WespeakerConfig;
}

/** The family of a folder whose config.json names a diarization model type; undefined for anything else. */
export function diarizationFamilyOf(dir: string): DiarizationFamily | undefined {
  try {
    const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
    return MODEL_TYPES[config?.model_type];
  } catch {
    return undefined;
  }
}

export function checkDiarizationFolder(dir: string): FolderCheck {
  const problems: string[] = [];
  const config = readJsonObjectSync(dir, 'config.json', problems);
  const family = config ? MODEL_TYPES[String(config.model_type)] : undefined;
  if (config && !family) {
    problems.push(
      `config.json: model_type must be "pyannote" or "wespeaker-resnet" (found ${JSON.stringify(config.model_type)})`,
    );
  }
  const pre = readJsonObjectSync(dir, 'preprocessor_config.json', problems);
  const variants = Object.entries(DIARIZATION_VARIANT_FILES)
    .filter(([, file]) => existsSync(path.join(dir, file)))
    .map(([v]) => v);
  if (variants.length === 0) {
    problems.push(`missing ONNX weights: need ${Object.values(DIARIZATION_VARIANT_FILES).join(' or ')}`);
  }
  const out: FolderCheck = { family, problems, variants };
  if (!pre || !family) return out;
  const number = (key: string, where = 'preprocessor_config.json') => {
    const v = pre[key];
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v;
    problems.push(`${where}: ${key} must be a positive number (found ${JSON.stringify(v)})`);
    return 0;
  };
  const rate = number('sampling_rate');
  if (rate && rate !== 16000) problems.push(`preprocessor_config.json: sampling_rate must be 16000 (found ${rate})`);
  if (family === 'pyannote') {
    if (pre.feature_extractor_type !== 'PyAnnoteFeatureExtractor') {
      problems.push(
        `preprocessor_config.json: feature_extractor_type must be "PyAnnoteFeatureExtractor" (found ${JSON.stringify(pre.feature_extractor_type)})`,
      );
    }
    out.pyannote = { samplingRate: rate, step: number('step'), offset: number('offset') };
  } else {
    if (pre.feature_extractor_type !== 'WeSpeakerFeatureExtractor') {
      problems.push(
        `preprocessor_config.json: feature_extractor_type must be "WeSpeakerFeatureExtractor" (found ${JSON.stringify(pre.feature_extractor_type)})`,
      );
    }
    const melBins = number('num_mel_bins');
    if (pre.fbank_centering_span !== undefined && pre.fbank_centering_span !== null) {
      problems.push('preprocessor_config.json: fbank_centering_span must be null (features centred on their mean)');
    }
    const minFrames = pre.min_num_frames === undefined || pre.min_num_frames === null ? 0 : number('min_num_frames');
    out.wespeaker = { samplingRate: rate, melBins, minFrames };
  }
  return out;
}

/**
 * Checks a folder for the family a loader needs and opens its weights (the asked variant, else fp32, int8, fp16) on
 * the CPU; a wrong or broken folder is refused with every problem listed.
 */
export async function openDiarizationModel(
  dir: string,
  family: DiarizationFamily,
  options: { threads?: number; variant?: string } = {},
): Promise<{ session: ort.InferenceSession; check: FolderCheck }> {
  const check = checkDiarizationFolder(dir);
  if (check.family !== family || check.problems.length) {
    const what = family === 'pyannote' ? 'segmentation' : 'speaker-embedding';
    const wrong = check.family && check.family !== family ? [`not a ${FAMILY_NAMES[family]} model`] : [];
    throw new EarshotError(
      'MODEL_INVALID',
      `${dir} is not a usable ${what} model:\n- ${[...wrong, ...check.problems].join('\n- ')}`,
    );
  }
  const { session } = await createSession(weightsFile(dir, check.variants, options.variant), {
    device: 'cpu',
    threads: options.threads,
  });
  return { session, check };
}

const FAMILY_NAMES: Record<DiarizationFamily, string> = {
  pyannote: 'pyannote segmentation',
  wespeaker: 'WeSpeaker embedding',
};

/** The ONNX file to run: the asked variant, else fp32, else int8, else fp16. */
export function weightsFile(dir: string, variants: string[], prefer?: string): string {
  const order = [prefer, 'fp32', 'quantized', 'fp16'].filter((v): v is string => !!v && variants.includes(v));
  return path.join(dir, DIARIZATION_VARIANT_FILES[order[0] ?? 'fp32']);
}
