import type { SpeechModel } from '../core/asr/types.ts';
import { deviceArg, intArg } from './args.ts';
import { cliEngine } from './engine.ts';

/** The parseArgs options every command that runs a model accepts. */
export const MODEL_OPTIONS = {
  model: { type: 'string' },
  device: { type: 'string' },
  threads: { type: 'string' },
} as const;

/** `--model` may be a folder or an installed model id; without it, the default model (else the bundled demo). */
export async function resolveModelDir(idOrPath: string | undefined): Promise<string> {
  return (await cliEngine().models.resolveModel(idOrPath)).dir;
}

/** Checks `--device` and `--threads`, resolves `--model`, and loads it. */
export async function openModel(values: { model?: string; device?: string; threads?: string }): Promise<SpeechModel> {
  const device = deviceArg(values.device);
  const threads = intArg(values.threads, '--threads');
  return (await cliEngine().models.load(values.model, { device, threads })).model;
}
