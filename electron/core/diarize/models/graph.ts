/**
 * What a diarization model's ONNX graph must look like for the loaders: one input and one output, the waveform
 * [batch, 1, samples] → [batch, frames, 7] powerset scores (pyannote), or fbank features [batch, frames, mel bins] →
 * [batch, dimension] embeddings (WeSpeaker). The model manager opens the session and calls this with its signature.
 */
import type { DiarizationFamily } from './folder.ts';

export interface GraphSignature {
  inputs: { name: string; shape?: readonly (number | string)[] }[];
  outputs: { name: string; shape?: readonly (number | string)[] }[];
}

export function diarizationGraphProblems(
  file: string,
  family: DiarizationFamily,
  melBins: number | undefined,
  io: GraphSignature,
): string[] {
  if (io.inputs.length !== 1 || io.outputs.length < 1) {
    return [`${file}: expected one input and one output (found ${io.inputs.length} and ${io.outputs.length})`];
  }
  const [input] = io.inputs;
  const [output] = io.outputs;
  const inShape = input.shape ?? [];
  const outShape = output.shape ?? [];
  const problems: string[] = [];
  if (family === 'pyannote') {
    if (inShape.length !== 3 || inShape[1] !== 1) {
      problems.push(`${file}: input ${input.name} must be a waveform [batch, 1, samples] (found [${inShape}])`);
    }
    if (outShape.length !== 3 || (typeof outShape[2] === 'number' && outShape[2] !== 7)) {
      problems.push(`${file}: output ${output.name} must be [batch, frames, 7] powerset scores (found [${outShape}])`);
    }
    return problems;
  }
  if (inShape.length !== 3 || (typeof inShape[2] === 'number' && melBins && inShape[2] !== melBins)) {
    problems.push(
      `${file}: input ${input.name} must be fbank features [batch, frames, ${melBins}] (found [${inShape}])`,
    );
  }
  if (outShape.length !== 2) {
    problems.push(`${file}: output ${output.name} must be embeddings [batch, dimension] (found [${outShape}])`);
  }
  return problems;
}
