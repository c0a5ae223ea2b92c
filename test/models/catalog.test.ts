import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { EarshotError } from '../../electron/core/errors.ts';
import {
  catalogJsonSchema,
  isBundled,
  languagesOf,
  loadCatalog,
  parseCatalog,
  variantFiles,
  type WhisperCatalogEntry,
} from '../../electron/core/models/catalog.ts';

const shipped = loadCatalog(path.resolve('models/catalog.json'));

test('the shipped catalog passes the schema and lists the eight Whisper models plus the bundled demo', () => {
  const whisper = shipped.models.filter((m) => !isBundled(m) && m.family === 'whisper').map((m) => m.id);
  assert.deepEqual(whisper, [
    'whisper-tiny',
    'whisper-tiny.en',
    'whisper-base',
    'whisper-base.en',
    'whisper-small',
    'whisper-small.en',
    'whisper-medium',
    'whisper-large-v3-turbo',
  ]);
  const demo = shipped.models.find(isBundled);
  assert.equal(demo?.id, 'demo-en');
  assert.equal(demo?.family, 'ctc');
  assert.equal(demo?.path, 'models/demo-en');
});

test('every Whisper entry has the four variants, MIT licence, an onnx-community repo and sized weights', () => {
  for (const m of shipped.models.filter((x) => !isBundled(x) && x.family === 'whisper') as WhisperCatalogEntry[]) {
    assert.deepEqual(Object.keys(m.variants).sort(), ['fp16', 'fp32', 'q4', 'quantized'], m.id);
    assert.equal(m.licence, 'MIT');
    assert.equal(m.source.repo, `onnx-community/${m.id}`);
    for (const v of Object.keys(m.variants)) {
      const weights = variantFiles(m, v).filter((f) => f.path.startsWith('onnx/'));
      assert.ok(
        weights.every((f) => (f.size ?? 0) > 0),
        `${m.id} ${v}`,
      );
    }
    const langs = languagesOf(shipped, m);
    assert.ok(m.id.endsWith('.en') ? langs.length === 1 && langs[0] === 'en' : langs.length >= 99, m.id);
  }
});

test('accuracy figures are the anchors of performance-notes §2', () => {
  const wer = (id: string, metric: string) =>
    shipped.models.find((m) => m.id === id)?.accuracy.find((a) => a.metric === metric)?.value;
  assert.equal(wer('whisper-tiny.en', 'wer_librispeech_test_clean'), 5.31);
  assert.equal(wer('whisper-base.en', 'wer_librispeech_test_other'), 10.08);
  assert.equal(wer('whisper-small.en', 'wer_open_asr_average'), 8.26);
  assert.equal(wer('whisper-large-v3-turbo', 'wer_librispeech_test_clean'), 1.87);
});

test('the schema rejects a catalog with a broken entry, saying where', () => {
  const raw = JSON.parse(readFileSync('models/catalog.json', 'utf8'));
  const tiny = raw.models.find((m: { id: string }) => m.id === 'whisper-tiny');
  tiny.variants.fp16.files = tiny.variants.fp16.files.filter((f: { path: string }) => !f.path.includes('decoder'));
  tiny.variants.fp16.files.push({ path: 'onnx/extra.onnx', sha256: 'XYZ' });
  assert.throws(
    () => parseCatalog(raw),
    (e: unknown) =>
      e instanceof EarshotError &&
      e.code === 'MODEL_INVALID' &&
      /sha256/.test(e.message) &&
      e.message.includes('models[1]'),
  );
  delete tiny.variants.fp16.files.at(-1).sha256;
  assert.throws(() => parseCatalog(raw), /variant fp16 lacks onnx\/decoder_model_merged_fp16\.onnx/);
});

test('models/catalog.schema.json is the one generated from the zod schema', () => {
  const committed = JSON.parse(readFileSync('models/catalog.schema.json', 'utf8'));
  assert.deepEqual(committed, JSON.parse(JSON.stringify(catalogJsonSchema())));
});
