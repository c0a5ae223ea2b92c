import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { validateModelFolder } from '../../electron/core/models/validate.ts';

const FIXTURES = path.resolve('test/fixtures/models-manager');
const temps: string[] = [];
after(() => Promise.all(temps.map((d) => rm(d, { recursive: true, force: true }))));

/** A writable copy of a fixture pack, so each test can break it its own way. */
async function copyFixture(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'earshot-validate-'));
  temps.push(dir);
  await cp(path.join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

async function editJson(file: string, edit: (v: Record<string, unknown>) => void): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  const value = JSON.parse(await readFile(file, 'utf8'));
  edit(value);
  await writeFile(file, JSON.stringify(value));
}

test('a complete Whisper folder passes with its variants', async () => {
  const r = await validateModelFolder(path.join(FIXTURES, 'whisper-mini'));
  // The mini fixture's decoders have no cross_attentions.* outputs: word times would be approximate.
  assert.deepEqual(r, {
    ok: true,
    family: 'whisper',
    problems: [],
    variants: ['fp32', 'quantized'],
    wordTiming: 'approximate',
  });
});

test('a CTC pack passes', async () => {
  const r = await validateModelFolder(path.join(FIXTURES, 'ctc-mini'));
  assert.deepEqual(r, { ok: true, family: 'ctc', problems: [], variants: ['fp32'] });
});

test('a missing half of a variant is named exactly; other variants still count', async () => {
  const dir = await copyFixture('whisper-mini');
  await rm(path.join(dir, 'onnx/decoder_model_merged.onnx'));
  const r = await validateModelFolder(dir);
  assert.equal(r.ok, false);
  assert.deepEqual(r.problems, ['missing onnx/decoder_model_merged.onnx (needed for variant fp32)']);
  assert.deepEqual(r.variants, ['quantized']);
});

test('missing JSON files and bad config values are each listed', async () => {
  const dir = await copyFixture('whisper-mini');
  await rm(path.join(dir, 'tokenizer.json'));
  await editJson(path.join(dir, 'config.json'), (c) => {
    c.num_mel_bins = 64;
  });
  const r = await validateModelFolder(dir, { checkOnnx: false });
  assert.deepEqual(r.problems, ['missing tokenizer.json', 'config.json: num_mel_bins must be 80 or 128 (found 64)']);
});

test('no ONNX weights at all is reported', async () => {
  const dir = await copyFixture('whisper-mini');
  await rm(path.join(dir, 'onnx'), { recursive: true });
  const r = await validateModelFolder(dir);
  assert.equal(r.ok, false);
  assert.match(r.problems[0], /^missing ONNX weights: need onnx\/encoder_model/);
});

test('wrong graph signatures and unreadable ONNX files are caught by real sessions', async () => {
  const dir = await copyFixture('whisper-mini');
  // An encoder where the decoder should be, and garbage for the quantized encoder.
  await cp(path.join(dir, 'onnx/encoder_model.onnx'), path.join(dir, 'onnx/decoder_model_merged.onnx'));
  await writeFile(path.join(dir, 'onnx/encoder_model_quantized.onnx'), 'not an onnx file');
  const r = await validateModelFolder(dir);
  assert.equal(r.ok, false);
  assert.deepEqual(r.variants, []);
  assert.ok(r.problems.includes('onnx/decoder_model_merged.onnx: missing input input_ids'), r.problems.join('\n'));
  assert.ok(r.problems.includes('onnx/decoder_model_merged.onnx: missing output logits'));
  assert.ok(r.problems.some((p) => p.startsWith('onnx/encoder_model_quantized.onnx: onnxruntime cannot load it')));
});

test('a mel-bin mismatch between config and encoder is caught', async () => {
  const dir = await copyFixture('whisper-mini');
  for (const f of ['config.json', 'preprocessor_config.json']) {
    await editJson(path.join(dir, f), (c) => {
      if (f === 'config.json') c.num_mel_bins = 128;
      else c.feature_size = 128;
    });
  }
  const r = await validateModelFolder(dir, { variants: ['fp32'] });
  assert.deepEqual(r.problems, ['onnx/encoder_model.onnx: input_features has 80 mel bins but config.json says 128']);
});

test('CTC: missing model.onnx and wrong family', async () => {
  const dir = await copyFixture('ctc-mini');
  await rm(path.join(dir, 'model.onnx'));
  assert.deepEqual((await validateModelFolder(dir)).problems, ['missing model.onnx']);
  await editJson(path.join(dir, 'model.json'), (m) => {
    m.family = 'rnnt';
  });
  assert.deepEqual((await validateModelFolder(dir)).problems, ['model.json: family must be "ctc" (found "rnnt")']);
});

test('a folder that is no model says so', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'earshot-validate-'));
  temps.push(dir);
  const r = await validateModelFolder(dir);
  assert.equal(r.ok, false);
  assert.match(r.problems[0], /^not a model folder/);
  assert.equal(
    (await validateModelFolder(path.join(dir, 'nope'))).problems[0],
    `${path.join(dir, 'nope')} is not a folder`,
  );
});
