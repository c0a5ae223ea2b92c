/**
 * Diarization models in the model manager: the catalog's two entries, download from a local stand-in for the Hub,
 * import with exact problems, and never being taken for a transcription model. The folders are the random-weight
 * fixtures in the onnx-community layouts (test/fixtures/models/{pyannote-segmentation,wespeaker-resnet}-random).
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cp, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, beforeEach, test } from 'node:test';
import { chooseDiarizationModels } from '../../electron/core/diarize/models/resolve.ts';
import { type Catalog, loadCatalog, parseCatalog } from '../../electron/core/models/catalog.ts';
import { ModelManager } from '../../electron/core/models/index.ts';
import { startHub } from './hf-server.ts';
import { FIXTURES, failure, REVISION, tempDir, testCatalog } from './helpers.ts';

const MODELS = path.resolve('test/fixtures/models');
const SEG = path.join(MODELS, 'pyannote-segmentation-random');
const EMB = path.join(MODELS, 'wespeaker-resnet-random');

let home: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  await home?.cleanup();
  home = await tempDir('earshot-diarize-models-');
});
after(() => home?.cleanup());

/** The manager tests' catalog plus one downloadable segmentation model. */
function catalog(): Catalog {
  const base = testCatalog();
  const weights = { path: 'onnx/model.onnx', size: statSync(path.join(SEG, 'onnx/model.onnx')).size };
  return parseCatalog({
    ...base,
    models: [
      ...base.models,
      {
        id: 'seg-mini',
        name: 'Segmentation (fixture)',
        family: 'pyannote',
        licence: 'MIT',
        accuracy: [],
        source: { repo: 'earshot-test/seg-mini', revision: REVISION },
        defaultVariant: 'fp32',
        sharedFiles: [{ path: 'config.json' }, { path: 'preprocessor_config.json' }],
        variants: { fp32: { files: [weights] } },
      },
    ],
  });
}

function manager(endpoint?: string): ModelManager {
  return new ModelManager({
    modelsDir: path.join(home.dir, 'models'),
    bundledDir: FIXTURES,
    catalog: catalog(),
    endpoint,
    download: { retries: 1, backoffMs: 10, reserveBytes: 0 },
  });
}

test('the shipped catalog lists the two diarization models in the onnx-community layout', () => {
  const shipped = loadCatalog(path.resolve('models/catalog.json'));
  const seg = shipped.models.find((m) => m.id === 'pyannote-segmentation-3.0');
  const emb = shipped.models.find((m) => m.id === 'wespeaker-voxceleb-resnet34-lm');
  assert.ok(seg && 'source' in seg && seg.family === 'pyannote');
  assert.equal(seg.source.repo, 'onnx-community/pyannote-segmentation-3.0');
  assert.ok(emb && 'source' in emb && emb.family === 'wespeaker');
  assert.equal(emb.source.repo, 'onnx-community/wespeaker-voxceleb-resnet34-LM');
  assert.deepEqual(
    shipped.models.slice(-2).map((m) => m.id),
    ['pyannote-segmentation-3.0', 'wespeaker-voxceleb-resnet34-lm'],
    'appended at the end',
  );
});

test('a diarization entry whose variant file is not where the loader looks is refused by the schema', () => {
  const bad = structuredClone(catalog()) as unknown as { models: { variants?: unknown }[] };
  bad.models[2].variants = { fp32: { files: [{ path: 'model.onnx' }] } };
  assert.throws(() => parseCatalog(bad), /variant fp32 must be onnx\/model\.onnx/);
});

test('pull downloads a segmentation model, verifies and installs it; it is listed as pyannote', async () => {
  const hub = await startHub(SEG, 'earshot-test/seg-mini', REVISION);
  try {
    const info = await manager(hub.url).pull('seg-mini');
    assert.equal(info.installed, true);
    assert.equal(info.family, 'pyannote');
    assert.deepEqual(info.variants, ['fp32']);
    assert.deepEqual(info.languages, []);
  } finally {
    await hub.close();
  }
});

test('a pulled diarization model is checked as one: the wrong network under its name is refused, nothing installed', async () => {
  const hub = await startHub(SEG, 'earshot-test/seg-mini', REVISION);
  try {
    // An honestly announced file (its own hash and size), but the embedding network where the segmentation goes.
    hub.faults.replace?.set('onnx/model.onnx', readFileSync(path.join(EMB, 'onnx/model.onnx')));
    const m = manager(hub.url);
    const e = await failure(m.pull('seg-mini'));
    assert.equal(e.code, 'MODEL_INVALID');
    assert.deepEqual(e.details.problems, [
      'onnx/model.onnx: input feats must be a waveform [batch, 1, samples] (found [batch_size,num_frames,80])',
      'onnx/model.onnx: output embs must be [batch, frames, 7] powerset scores (found [batch_size,256])',
    ]);
    assert.equal((await m.list()).find((x) => x.id === 'seg-mini')?.installed, false);
  } finally {
    await hub.close();
  }
});

test('import of both fixture folders; automatic choice picks them, and neither becomes the transcription model', async () => {
  const m = manager();
  const seg = await m.import(SEG, { id: 'my-seg' });
  const emb = await m.import(EMB, { id: 'my-emb' });
  assert.equal(seg.family, 'pyannote');
  assert.equal(emb.family, 'wespeaker');
  const list = await m.list();
  assert.deepEqual(chooseDiarizationModels('auto', list), { segmentation: seg.dir, embedding: emb.dir });
  assert.equal(chooseDiarizationModels('classical', list), undefined);
  // Settings lists them beside the speech models, under their own families.
  const all = await m.views();
  const views = all.filter((v) => v.id.startsWith('my-')).map((v) => [v.id, v.family, v.languages, v.transcribes]);
  assert.deepEqual(views, [
    ['my-emb', 'wespeaker', [], false],
    ['my-seg', 'pyannote', [], false],
  ]);
  // The UI tells transcription models by `transcribes` (the family registry), not by a list of family names.
  assert.ok(all.some((v) => v.family === 'ctc' && v.transcribes));
  // The transcription model is still the bundled one, and a diarization model cannot be made the default.
  assert.equal((await m.resolveModel()).family, 'ctc');
  const e = await failure(m.setDefault('my-seg'));
  assert.equal(e.code, 'INVALID_PARAMETER');
  assert.match(e.message, /my-seg is a diarization model \(pyannote\), not a transcription model/);
  const asModel = await failure(m.resolveModel('my-emb'));
  assert.match(asModel.message, /my-emb is a diarization model \(wespeaker\), not a transcription model/);
});

test('neural diarization without the models installed says which to pull', async () => {
  const e = await failure(Promise.resolve().then(() => chooseDiarizationModels('neural', [])));
  assert.equal(e.code, 'MODEL_NOT_FOUND');
  assert.match(
    e.message,
    /earshot models pull pyannote-segmentation-3\.0.*earshot models pull wespeaker-voxceleb-resnet34-lm/,
  );
  assert.equal(chooseDiarizationModels('auto', []), undefined, 'auto falls back to the classical method');
});

test('import errors name the exact problem and install nothing', async () => {
  const m = manager();
  const broken = path.join(home.dir, 'seg');
  const cases: [string, (dir: string) => Promise<void> | void, string[]][] = [
    [
      'no preprocessor config',
      (d) => rm(path.join(d, 'preprocessor_config.json')),
      ['missing preprocessor_config.json'],
    ],
    [
      'no weights',
      (d) => rm(path.join(d, 'onnx/model.onnx')),
      ['missing ONNX weights: need onnx/model.onnx or onnx/model_fp16.onnx or onnx/model_quantized.onnx'],
    ],
    [
      'bad step',
      (d) =>
        writeFileSync(
          path.join(d, 'preprocessor_config.json'),
          JSON.stringify({ feature_extractor_type: 'PyAnnoteFeatureExtractor', sampling_rate: 16000, offset: 991 }),
        ),
      ['preprocessor_config.json: step must be a positive number (found undefined)'],
    ],
    [
      'the embedding network in a segmentation folder',
      (d) => copyFileSync(path.join(EMB, 'onnx/model.onnx'), path.join(d, 'onnx/model.onnx')),
      [
        'onnx/model.onnx: input feats must be a waveform [batch, 1, samples] (found [batch_size,num_frames,80])',
        'onnx/model.onnx: output embs must be [batch, frames, 7] powerset scores (found [batch_size,256])',
      ],
    ],
  ];
  for (const [what, damage, problems] of cases) {
    await rm(broken, { recursive: true, force: true });
    await cp(SEG, broken, { recursive: true });
    await damage(broken);
    const e = await failure(m.import(broken));
    assert.equal(e.code, 'MODEL_INVALID', what);
    assert.deepEqual(e.details.problems, problems, what);
    assert.equal(e.message, `${broken} cannot be imported:\n- ${problems.join('\n- ')}`);
  }
  assert.deepEqual(
    (await m.list()).filter((x) => x.installed && !x.bundled).map((x) => x.id),
    [],
  );
});
