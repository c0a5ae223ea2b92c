/**
 * Opens any model pack by looking at its folder: `model.json` with family "ctc" → CTC engine; `config.json` with
 * model_type "whisper" → Whisper engine. Both return the same SpeechModel interface.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EarshotError } from '../errors.ts';
import type { LoadModelOptions, SpeechModel } from './types.ts';

// Defined with the other engine types so that a family never imports this file back (no load-model ↔ family cycle).
export type { LoadModelOptions } from './types.ts';

export type ModelFamily = 'whisper' | 'ctc';

export function detectModelFamily(dir: string): ModelFamily {
  if (!existsSync(dir)) throw new EarshotError('MODEL_NOT_FOUND', `Model folder not found: ${dir}`);
  const modelJson = path.join(dir, 'model.json');
  if (existsSync(modelJson)) {
    const family = JSON.parse(readFileSync(modelJson, 'utf8')).family;
    if (family === 'ctc') return 'ctc';
    throw new EarshotError('MODEL_INVALID', `${modelJson}: unknown model family '${family}'`);
  }
  const configJson = path.join(dir, 'config.json');
  if (existsSync(configJson) && JSON.parse(readFileSync(configJson, 'utf8')).model_type === 'whisper') return 'whisper';
  throw new EarshotError(
    'MODEL_INVALID',
    `${dir} is not a model folder: expected model.json (CTC pack) or config.json with model_type "whisper"`,
  );
}

export async function loadSpeechModel(dir: string, options: LoadModelOptions = {}): Promise<SpeechModel> {
  const family = detectModelFamily(dir);
  if (family === 'ctc') {
    const { loadCtcModel } = await import('./ctc/index.ts');
    return loadCtcModel(dir, options);
  }
  const { loadWhisperModel } = await import('./whisper/index.ts');
  return loadWhisperModel(dir, options);
}
