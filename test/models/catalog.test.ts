import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { EarshotError } from '../../electron/core/errors.ts';
import {
  catalogJsonSchema,
  isBundled,
  isDownloadable,
  isWhisperEntry,
  languagesOf,
  loadCatalog,
  parseCatalog,
  variantFiles,
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

test('every download is pinned and backed by CATALOG_SOURCES.md; hashes cited, weights sized', () => {
  const sources = readFileSync('models/CATALOG_SOURCES.md', 'utf8');
  for (const m of shipped.models.filter(isDownloadable)) {
    assert.match(m.source.revision, /^[0-9a-f]{40}$/, m.id);
    assert.ok(sources.includes(`${m.source.repo}@${m.source.revision}`), `${m.id}: repo@revision cited`);
    assert.ok(m.variants[m.defaultVariant], `${m.id} default variant`);
    for (const v of Object.keys(m.variants)) {
      for (const f of variantFiles(m, v)) {
        // Every pinned hash is one a cited page showed; every weight has a size (from a page, or marked estimated).
        if (f.sha256) assert.ok(sources.includes(f.sha256), `${m.id} ${f.path}: hash cited`);
        if (f.path.startsWith('onnx/')) assert.ok((f.size ?? 0) > 0, `${m.id} ${v} ${f.path} size`);
      }
    }
  }
});

test('every Whisper entry is MIT, multilingual unless .en, and gives aligned word times where a timestamped export exists', () => {
  for (const m of shipped.models.filter(isWhisperEntry)) {
    assert.equal(m.wordTiming, m.source.repo.endsWith('_timestamped') ? 'aligned' : 'approximate', m.id);
    assert.equal(m.licence, 'MIT');
    const langs = languagesOf(shipped, m);
    assert.ok(m.id.endsWith('.en') ? langs.length === 1 && langs[0] === 'en' : langs.length >= 99, m.id);
  }
  // Only Xenova/whisper-medium lacks a timestamped export among the eight.
  const approximate = shipped.models.filter(isWhisperEntry).filter((m) => m.wordTiming !== 'aligned');
  assert.deepEqual(
    approximate.map((m) => m.id),
    ['whisper-medium'],
  );
});

test('a branch instead of a commit id is refused', () => {
  const raw = JSON.parse(readFileSync('models/catalog.json', 'utf8'));
  raw.models[1].source.revision = 'main';
  assert.throws(() => parseCatalog(raw), /pinned commit id/);
});

test('entries of other families can follow the Whisper ones (files per variant, installed as they are)', () => {
  const raw = JSON.parse(readFileSync('models/catalog.json', 'utf8'));
  raw.models.push({
    id: 'segmentation-test',
    name: 'Speaker segmentation (test entry)',
    family: 'speaker-segmentation',
    licence: 'MIT',
    languages: ['en'],
    accuracy: [],
    source: { repo: 'example/segmentation', revision: 'f'.repeat(40) },
    defaultVariant: 'fp32',
    variants: { fp32: { files: [{ path: 'onnx/model.onnx', size: 5_900_000 }] } },
  });
  const parsed = parseCatalog(raw);
  const entry = parsed.models.at(-1);
  assert.equal(entry?.family, 'speaker-segmentation');
  raw.models.at(-1).defaultVariant = 'int8';
  assert.throws(() => parseCatalog(raw), /defaultVariant int8 has no files/);
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
