/**
 * The benchmark's models: seeded random weights of whisper-tiny and whisper-base dimensions, written once into the
 * temp folder (never committed) as the ONNX folder our engine and transformers.js load (fp32 and int8 `quantized`)
 * and as whisper.cpp ggml files (f32, f16, q8_0) of the same weights, by tools/fixtures/make_whisper_fixture.py.
 * That generator needs Debian's python3-torch, python3-onnx and python3-numpy: checked first, with the command that
 * installs them, instead of a Python traceback.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const SIZES = ['tiny', 'base'] as const;
export type Size = (typeof SIZES)[number];
export const GGML_TYPES = ['f32', 'f16', 'q8_0'] as const;

const PYTHON = '/usr/bin/python3';
const MODULES: [string, string][] = [
  ['torch', 'python3-torch'],
  ['onnx', 'python3-onnx'],
  ['numpy', 'python3-numpy'],
];

/** Debian packages the generator still needs (empty when it can run). */
export function missingPythonPackages(): string[] {
  if (!existsSync(PYTHON)) return MODULES.map(([, pkg]) => pkg);
  return MODULES.filter(([mod]) => spawnSync(PYTHON, ['-c', `import ${mod}`], { stdio: 'ignore' }).status !== 0).map(
    ([, pkg]) => pkg,
  );
}

export function modelDir(work: string, size: Size): string {
  return path.join(work, `whisper-${size}-random`);
}

function complete(dir: string): boolean {
  return (
    existsSync(path.join(dir, 'onnx', 'decoder_model_merged_quantized.onnx')) &&
    GGML_TYPES.every((t) => existsSync(path.join(dir, `ggml-model-${t}.bin`)))
  );
}

/** Generates the model folder for `size` unless it is already there; exits with the apt command if it cannot. */
export function prepareModel(work: string, size: Size): string {
  const dir = modelDir(work, size);
  if (complete(dir)) return dir;
  const missing = missingPythonPackages();
  if (missing.length) {
    console.error(
      `bench:asr generates its random ${size} model with Debian's Python packages, and these are missing:\n` +
        `  apt-get install -y --no-install-recommends ${missing.join(' ')}\n`,
    );
    process.exit(2);
  }
  console.log(`generating a whisper-${size}-sized random model, ONNX fp32 + int8 and ggml f32/f16/q8_0 (once) ...`);
  execFileSync(
    PYTHON,
    [
      'tools/fixtures/make_whisper_fixture.py',
      '--size',
      size,
      '--quantized',
      '--ggml',
      GGML_TYPES.join(','),
      '--out',
      dir,
    ],
    { stdio: 'inherit' },
  );
  return dir;
}
