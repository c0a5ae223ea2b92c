/** Shared setup for the model-manager tests: a catalog describing the fixture packs, and temp folders. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EarshotError } from '../../electron/core/errors.ts';
import { type Catalog, parseCatalog } from '../../electron/core/models/catalog.ts';

export const FIXTURES = path.resolve('test/fixtures/models-manager');
export const REPO = 'earshot-test/whisper-mini';
/** The commit the test catalog pins; the local hub serves the fixture at this revision only. */
export const REVISION = '0123456789abcdef0123456789abcdef01234567';

const size = (rel: string) => statSync(path.join(FIXTURES, 'whisper-mini', rel)).size;
export const sha256Of = (rel: string) =>
  createHash('sha256')
    .update(readFileSync(path.join(FIXTURES, 'whisper-mini', rel)))
    .digest('hex');

/** `pinned`: weight files carry the SHA-256 of the fixture's bytes, as shipped catalog entries do when it is known. */
export function testCatalog(options: { pinned?: boolean } = {}): Catalog {
  const file = (p: string) => ({ path: p, size: size(p), ...(options.pinned ? { sha256: sha256Of(p) } : {}) });
  return parseCatalog({
    schemaVersion: 1,
    languageSets: {},
    models: [
      {
        id: 'ctc-mini',
        name: 'CTC mini (bundled fixture)',
        family: 'ctc',
        bundled: true,
        path: 'models/ctc-mini',
        licence: 'MIT',
        languages: ['en'],
        accuracy: [],
      },
      {
        id: 'whisper-mini',
        name: 'Whisper mini (fixture)',
        family: 'whisper',
        licence: 'MIT',
        languages: ['en'],
        parameters: 1000,
        wordTiming: 'approximate',
        source: { repo: REPO, revision: REVISION },
        defaultVariant: 'fp32',
        sharedFiles: [
          'config.json',
          'generation_config.json',
          'preprocessor_config.json',
          'tokenizer.json',
          'tokenizer_config.json',
        ].map((p) => ({ path: p })),
        variants: {
          fp32: { files: [file('onnx/encoder_model.onnx'), file('onnx/decoder_model_merged.onnx')] },
          quantized: {
            files: [file('onnx/encoder_model_quantized.onnx'), file('onnx/decoder_model_merged_quantized.onnx')],
          },
        },
        accuracy: [],
      },
    ],
  });
}

export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The EarshotError a promise rejects with (fails the test when it resolves or throws something else). */
export async function failure(p: Promise<unknown>): Promise<EarshotError> {
  const e = await p.then(
    () => assert.fail('expected a failure'),
    (err: unknown) => err,
  );
  assert.ok(e instanceof EarshotError, String(e));
  return e;
}
