import { ModelManager } from '../core/models/index.ts';

/** `--model` may be a folder or an installed model id; without it, the default model (else the bundled demo). */
export async function resolveModelDir(idOrPath: string | undefined): Promise<string> {
  return (await new ModelManager().resolveModel(idOrPath)).dir;
}
