/**
 * The CTC model family: a folder with model.json + model.onnx (see pack.ts). The bundled demo model
 * (models/demo-en) is one; `loadSpeechModel(dir)` dispatches here when model.json says family "ctc".
 */
import { createSession } from '../device.ts';
import type { LoadModelOptions } from '../types.ts';
import path from 'node:path';
import { BigramLm } from './lm.ts';
import { CtcSpeechModel } from './model.ts';
import { readCtcPack } from './pack.ts';

export { CtcSpeechModel } from './model.ts';
export { type CtcPack, readCtcPack } from './pack.ts';

export async function loadCtcModel(dir: string, options: LoadModelOptions = {}): Promise<CtcSpeechModel> {
  const pack = readCtcPack(dir);
  const { session, device } = await createSession(pack.onnxPath, { device: options.device, threads: options.threads });
  const lm = pack.decoder?.lm ? BigramLm.load(path.join(dir, pack.decoder.lm)) : null;
  return new CtcSpeechModel(pack, session, device, lm);
}
