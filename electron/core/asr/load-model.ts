/**
 * Opens any model folder with the family that claims it (asr/families.ts): `model.json` names a pack's family (CTC);
 * `config.json` with model_type "whisper" is a Whisper folder. Every family returns the same SpeechModel interface.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EarshotError } from '../errors.ts';
import { familyOfFolder, folderHints, type SpeechFamilyId } from './families.ts';
import type { SpeechFamily } from './family.ts';
import type { LoadModelOptions, SpeechModel } from './types.ts';

export type { LoadModelOptions } from './types.ts';

export type ModelFamily = SpeechFamilyId;

export function detectModelFamily(dir: string): ModelFamily {
  return familyOf(dir).id as ModelFamily;
}

export async function loadSpeechModel(dir: string, options: LoadModelOptions = {}): Promise<SpeechModel> {
  return familyOf(dir).load(dir, options);
}

function familyOf(dir: string): SpeechFamily {
  if (!existsSync(dir)) throw new EarshotError('MODEL_NOT_FOUND', `Model folder not found: ${dir}`);
  const claimed = familyOfFolder(dir);
  if (claimed?.claim === 'yes') return claimed.family;
  const modelJson = path.join(dir, 'model.json');
  if (existsSync(modelJson)) {
    const family = JSON.parse(readFileSync(modelJson, 'utf8')).family;
    throw new EarshotError('MODEL_INVALID', `${modelJson}: unknown model family '${family}'`);
  }
  throw new EarshotError('MODEL_INVALID', `${dir} is not a model folder: expected ${folderHints()}`);
}
