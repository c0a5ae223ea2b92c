/**
 * A CTC model pack: a folder with `model.json` (what the network expects and emits, its vocabulary, licence and the
 * notice shown to users) and `model.onnx` (16 kHz waveform in, per-frame log-probabilities out; the features are
 * computed inside the graph, so there is nothing to keep in sync with training).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { EarshotError } from '../../errors.ts';

const PackSchema = z.object({
  family: z.literal('ctc'),
  name: z.string().min(1),
  version: z.number().optional(),
  languages: z.array(z.string().min(2)).min(1),
  input: z.object({
    name: z.string().min(1),
    sampleRate: z.literal(16000),
    minSamples: z.number().int().positive().default(400),
  }),
  output: z.object({ name: z.string().min(1) }),
  features: z.record(z.string(), z.unknown()).optional(),
  vocabulary: z.array(z.string()).min(2),
  blankId: z.number().int().nonnegative(),
  /** Seconds between output frames. */
  frameShift: z.number().positive(),
  /** Seconds from the start of the input to the centre of output frame 0. */
  frameOffset: z.number().nonnegative().default(0),
  /** Longest window given to the network at once; longer audio is cut at pauses. At least 5 s: windows without
   * pauses overlap by 2 s. */
  maxWindowSeconds: z.number().min(5).default(20),
  /** Optional beam search with a word language model (greedy decoding when absent or beamSize is 1). */
  decoder: z
    .object({
      lm: z.string().min(1).optional(),
      beamSize: z.number().int().positive().default(16),
      alpha: z.number().nonnegative().default(0.8),
      beta: z.number().default(1.5),
    })
    .optional(),
  licence: z.string().min(1),
  notice: z.string().optional(),
  modelCard: z.string().optional(),
});

export type CtcPack = z.infer<typeof PackSchema> & { dir: string; onnxPath: string };

export function readCtcPack(dir: string): CtcPack {
  const jsonPath = path.join(dir, 'model.json');
  if (!existsSync(jsonPath)) throw new EarshotError('MODEL_NOT_FOUND', `No model.json in ${dir}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(jsonPath, 'utf8'));
  } catch (e) {
    throw new EarshotError('MODEL_INVALID', `${jsonPath} is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = PackSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new EarshotError('MODEL_INVALID', `${jsonPath}: ${issues}`);
  }
  const pack = parsed.data;
  if (pack.blankId >= pack.vocabulary.length) {
    throw new EarshotError('MODEL_INVALID', `${jsonPath}: blankId ${pack.blankId} is outside the vocabulary`);
  }
  if (pack.decoder?.lm && !existsSync(path.join(dir, pack.decoder.lm))) {
    throw new EarshotError('MODEL_INVALID', `${jsonPath}: decoder.lm names ${pack.decoder.lm}, which is missing`);
  }
  const onnxPath = path.join(dir, 'model.onnx');
  if (!existsSync(onnxPath)) throw new EarshotError('MODEL_INVALID', `${dir} has model.json but no model.onnx`);
  return { ...pack, dir, onnxPath };
}
