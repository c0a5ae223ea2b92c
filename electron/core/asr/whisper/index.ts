import { EarshotError } from '../../errors.ts';
import type { LoadModelOptions } from '../load-model.ts';
import type { SpeechModel } from '../types.ts';

export async function loadWhisperModel(dir: string, _options: LoadModelOptions): Promise<SpeechModel> {
  throw new EarshotError('MODEL_INVALID', `Whisper engine not available yet (${dir})`);
}
