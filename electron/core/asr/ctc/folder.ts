/**
 * A CTC pack folder as the model manager checks it on import or download: model.json (family "ctc", a name, the
 * languages) and a model.onnx that onnxruntime opens. The engine's own reading of model.json is pack.ts.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  checkSession,
  isStringArray,
  readJsonFile,
  type ValidateOptions,
  type ValidationResult,
} from '../folder-checks.ts';

export async function validateCtcFolder(dir: string, options: ValidateOptions = {}): Promise<ValidationResult> {
  const problems: string[] = [];
  const meta = readJsonFile(dir, 'model.json', problems);
  if (meta) {
    if (typeof meta.name !== 'string' || meta.name === '') problems.push('model.json: name must be a non-empty string');
    if (meta.languages !== undefined && !isStringArray(meta.languages)) {
      problems.push('model.json: languages must be a list of language codes');
    }
  }
  if (!existsSync(path.join(dir, 'model.onnx'))) problems.push('missing model.onnx');
  else if (options.checkOnnx !== false) {
    await checkSession(dir, 'model.onnx', problems, (io) => {
      const out: string[] = [];
      if (io.inputs.length === 0) out.push('model.onnx: the graph has no inputs');
      if (io.outputs.length === 0) out.push('model.onnx: the graph has no outputs');
      return out;
    });
  }
  return { ok: problems.length === 0, family: 'ctc', problems, variants: problems.length === 0 ? ['fp32'] : [] };
}
