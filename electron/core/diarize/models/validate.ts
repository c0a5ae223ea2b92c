/**
 * A diarization model folder checked the way the model manager checks every model before it appears: the layout
 * (./folder.ts) and then each present weight variant opened with onnxruntime, its inputs and outputs compared with
 * what the loaders feed and read. Problems are listed exactly, file by file.
 */
import path from 'node:path';
import { createSession } from '../../asr/device.ts';
import { checkDiarizationFolder, DIARIZATION_VARIANT_FILES, type DiarizationFamily } from './folder.ts';

export interface DiarizationValidation {
  ok: boolean;
  family?: DiarizationFamily;
  problems: string[];
  variants: string[];
}

export async function validateDiarizationFolder(
  dir: string,
  options: { checkOnnx?: boolean; variants?: string[] } = {},
): Promise<DiarizationValidation> {
  const check = checkDiarizationFolder(dir);
  const problems = [...check.problems];
  const passed: string[] = [];
  for (const variant of check.variants) {
    if (options.checkOnnx === false || (options.variants && !options.variants.includes(variant)) || !check.family) {
      passed.push(variant);
      continue;
    }
    const before = problems.length;
    await checkGraph(dir, DIARIZATION_VARIANT_FILES[variant], check.family, check.wespeaker?.melBins, problems);
    if (problems.length === before) passed.push(variant);
  }
  return { ok: problems.length === 0 && passed.length > 0, family: check.family, problems, variants: passed };
}

async function checkGraph(
  dir: string,
  file: string,
  family: DiarizationFamily,
  melBins: number | undefined,
  problems: string[],
): Promise<void> {
  let session: Awaited<ReturnType<typeof createSession>>['session'];
  try {
    ({ session } = await createSession(path.join(dir, file), {
      device: 'cpu',
      threads: 1,
      options: { graphOptimizationLevel: 'disabled' },
    }));
  } catch (e) {
    const reason =
      e instanceof Error ? e.message.replace(/^No execution provider could load the model \(cpu: /, '') : e;
    problems.push(`${file}: onnxruntime cannot load it (${String(reason).replace(/\)$/, '')})`);
    return;
  }
  try {
    const inputs = session.inputMetadata;
    const outputs = session.outputMetadata;
    if (inputs.length !== 1 || outputs.length < 1) {
      problems.push(`${file}: expected one input and one output (found ${inputs.length} and ${outputs.length})`);
      return;
    }
    const input = inputs[0];
    const output = outputs[0];
    const inShape = input.isTensor ? input.shape : [];
    const outShape = output.isTensor ? output.shape : [];
    if (family === 'pyannote') {
      if (inShape.length !== 3 || inShape[1] !== 1) {
        problems.push(`${file}: input ${input.name} must be a waveform [batch, 1, samples] (found [${inShape}])`);
      }
      if (outShape.length !== 3 || (typeof outShape[2] === 'number' && outShape[2] !== 7)) {
        problems.push(
          `${file}: output ${output.name} must be [batch, frames, 7] powerset scores (found [${outShape}])`,
        );
      }
    } else {
      if (inShape.length !== 3 || (typeof inShape[2] === 'number' && melBins && inShape[2] !== melBins)) {
        problems.push(
          `${file}: input ${input.name} must be fbank features [batch, frames, ${melBins}] (found [${inShape}])`,
        );
      }
      if (outShape.length !== 2) {
        problems.push(`${file}: output ${output.name} must be embeddings [batch, dimension] (found [${outShape}])`);
      }
    }
  } finally {
    await session.release();
  }
}
