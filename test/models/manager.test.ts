import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, beforeEach, test } from 'node:test';
import { EarshotError } from '../../electron/core/errors.ts';
import { loadCatalog } from '../../electron/core/models/catalog.ts';
import { ModelManager } from '../../electron/core/models/index.ts';
import { calibrate, recommendModel } from '../../electron/core/models/recommend.ts';
import { FIXTURES, tempDir, testCatalog } from './helpers.ts';

let home: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  await home?.cleanup();
  home = await tempDir('earshot-manager-');
});
after(() => home?.cleanup());

function manager(bundledDir = FIXTURES): ModelManager {
  return new ModelManager({ modelsDir: path.join(home.dir, 'models'), bundledDir, catalog: testCatalog() });
}

async function failure(p: Promise<unknown>): Promise<EarshotError> {
  const e = await p.then(
    () => assert.fail('expected a failure'),
    (err: unknown) => err,
  );
  assert.ok(e instanceof EarshotError, String(e));
  return e;
}

test('import of a folder with a missing file fails with the exact problem and installs nothing', async () => {
  const src = path.join(home.dir, 'my-whisper');
  await cp(path.join(FIXTURES, 'whisper-mini'), src, { recursive: true });
  await rm(path.join(src, 'onnx/decoder_model_merged_quantized.onnx'));
  await rm(path.join(src, 'preprocessor_config.json'));
  const e = await failure(manager().import(src));
  assert.equal(e.code, 'MODEL_INVALID');
  assert.equal(
    e.message,
    `${src} cannot be imported:\n- missing preprocessor_config.json\n- missing onnx/decoder_model_merged_quantized.onnx (needed for variant quantized)`,
  );
  assert.deepEqual(e.details.problems, [
    'missing preprocessor_config.json',
    'missing onnx/decoder_model_merged_quantized.onnx (needed for variant quantized)',
  ]);
  assert.equal(existsSync(path.join(home.dir, 'models', 'my-whisper')), false);
});

test('import, list, default, resolve and remove', async () => {
  const m = manager();
  const src = path.join(home.dir, 'My Whisper');
  await cp(path.join(FIXTURES, 'whisper-mini'), src, { recursive: true });
  const imported = await m.import(src);
  assert.equal(imported.id, 'my-whisper');
  assert.deepEqual(imported.variants, ['fp32', 'quantized']);
  assert.deepEqual(imported.languages, ['en']);
  await m.import(path.join(FIXTURES, 'ctc-mini'), { id: 'ctc-copy' });

  const views = await m.views();
  assert.deepEqual(
    views.map((v) => [v.id, v.family, v.installed, v.bundled]),
    [
      ['ctc-mini', 'ctc', true, true],
      ['whisper-mini', 'whisper', false, false],
      ['ctc-copy', 'ctc', true, false],
      ['my-whisper', 'whisper', true, false],
    ],
  );

  // No default: the first installed (non-bundled) model.
  assert.equal((await m.resolveModel()).id, 'ctc-copy');
  await m.setDefault('my-whisper');
  assert.deepEqual(JSON.parse(await readFile(m.registryFile, 'utf8')), { default: 'my-whisper' });
  assert.deepEqual(await m.resolveModel(), {
    id: 'my-whisper',
    dir: path.join(home.dir, 'models', 'my-whisper'),
    family: 'whisper',
  });
  assert.equal((await m.resolveModel('ctc-mini')).dir, path.join(FIXTURES, 'ctc-mini'));
  assert.equal((await m.resolveModel(path.join(FIXTURES, 'ctc-mini'))).family, 'ctc');
  assert.equal((await failure(m.setDefault('whisper-mini'))).code, 'MODEL_NOT_FOUND');
  assert.match(
    (await failure(m.resolveModel('whisper-mini'))).message,
    /not installed; run 'earshot models pull whisper-mini'/,
  );
  assert.equal((await failure(m.resolveModel('nope'))).code, 'MODEL_NOT_FOUND');

  await m.remove('my-whisper');
  assert.equal(existsSync(path.join(home.dir, 'models', 'my-whisper')), false);
  assert.equal(await m.getDefault(), undefined, 'removing the default clears it');
  assert.equal((await failure(m.remove('ctc-mini'))).code, 'INVALID_PARAMETER');
  assert.equal((await failure(m.remove('my-whisper'))).code, 'MODEL_NOT_FOUND');
  await m.remove('ctc-copy');
  // Nothing installed: the bundled demo model.
  assert.equal((await m.resolveModel()).id, 'ctc-mini');
});

test('with no model at all, resolveModel says how to get one', async () => {
  const e = await failure(manager(path.join(home.dir, 'no-bundle')).resolveModel());
  assert.equal(e.code, 'MODEL_NOT_FOUND');
  assert.match(e.message, /earshot models pull/);
});

test('recommendation follows memory and devices', () => {
  const catalog = loadCatalog(path.resolve('models/catalog.json'));
  const GB = 1e9;
  assert.deepEqual(
    [
      recommendModel({ memoryBytes: 16 * GB, devices: ['cuda', 'cpu'], cpuCores: 8 }, catalog),
      recommendModel({ memoryBytes: 32 * GB, devices: ['cpu'], cpuCores: 12, englishOnly: true }, catalog),
      recommendModel({ memoryBytes: 8 * GB, devices: ['cpu'], cpuCores: 4 }, catalog),
      recommendModel({ memoryBytes: 4 * GB, devices: ['cpu'], cpuCores: 2, englishOnly: true }, catalog),
      recommendModel({ memoryBytes: 0.1 * GB, devices: ['cpu'], cpuCores: 2 }, catalog),
    ].map((r) => [r.id, r.variant]),
    [
      ['whisper-large-v3-turbo', 'fp16'],
      ['whisper-small.en', 'quantized'],
      ['whisper-base', 'quantized'],
      ['whisper-tiny.en', 'quantized'],
      ['demo-en', undefined],
    ],
  );
});

test('calibration runs the encoder for real and reports a median time', async () => {
  const cal = await calibrate(path.join(FIXTURES, 'whisper-mini'), 'whisper', {
    variant: 'fp32',
    seconds: 0.2,
    threads: 1,
  });
  assert.equal(cal.file, 'onnx/encoder_model.onnx');
  assert.equal(cal.audioSecondsPerRun, 30);
  assert.ok(cal.runs >= 3 && cal.msPerRun > 0 && cal.realtimeFactor > 0, JSON.stringify(cal));
  assert.match(cal.device, /^CPU/);
  assert.ok(os.availableParallelism() >= 1);
});

test('a download lock held by a live process refuses a second pull; a stale one is taken over', async () => {
  const { acquireLock } = await import('../../electron/core/models/lock.ts');
  const file = path.join(home.dir, 'x.lock');
  const release = await acquireLock(file, 'Downloading x');
  const e = await failure(acquireLock(file, 'Downloading x'));
  assert.equal(e.message, `Downloading x is already in progress (process ${process.pid})`);
  await release();
  // A lock left by a process that is gone (proper-lockfile's folder, fresh, with its owner) is taken over at once.
  const { mkdir, writeFile } = await import('node:fs/promises');
  await mkdir(`${file}.lock`);
  await writeFile(
    path.join(`${file}.lock`, 'owner.json'),
    JSON.stringify({ pid: 999999999, host: os.hostname(), token: 'crashed' }),
  );
  await (await acquireLock(file, 'Downloading x'))();
  // One held by a live process elsewhere is refused even without an owner record.
  await mkdir(`${file}.lock`);
  await assert.rejects(acquireLock(file, 'Downloading x'), { message: 'Downloading x is already in progress' });
});

test('importing a *_timestamped export drops the encoder attention outputs and records aligned word timing', async () => {
  const { layoutFolder } = await import('../asr/whisper-helpers.ts');
  const ts = layoutFolder('timestamped', home.dir);
  const plain = layoutFolder('plain', home.dir);
  const m = manager();
  const aligned = await m.import(ts, { id: 'tiny-ts' });
  const approximate = await m.import(plain, { id: 'tiny-plain' });
  assert.equal(aligned.wordTiming, 'aligned');
  assert.equal(approximate.wordTiming, 'approximate');
  const views = await m.views();
  assert.deepEqual(
    views.filter((v) => v.id.startsWith('tiny-')).map((v) => [v.id, v.wordTiming]),
    [
      ['tiny-plain', 'approximate'],
      ['tiny-ts', 'aligned'],
    ],
  );
  // The installed encoder returns the hidden states only; the source folder keeps its file untouched.
  const ort = await import('onnxruntime-node');
  const outputs = async (file: string) => {
    const s = await ort.InferenceSession.create(file);
    const names = [...s.outputNames];
    await s.release();
    return names;
  };
  const encoder = 'onnx/encoder_model.onnx';
  assert.deepEqual(await outputs(path.join(home.dir, 'models', 'tiny-ts', encoder)), ['last_hidden_state']);
  assert.deepEqual(await outputs(path.join(ts, encoder)), [
    'last_hidden_state',
    'encoder_attentions.0',
    'encoder_attentions.1',
  ]);
  const meta = JSON.parse(await readFile(path.join(home.dir, 'models', 'tiny-ts', '.earshot-model.json'), 'utf8'));
  assert.deepEqual(meta.trimmedOutputs, { [encoder]: ['encoder_attentions.0', 'encoder_attentions.1'] });
  // An encoder with nothing to drop is installed byte for byte.
  assert.deepEqual(
    await readFile(path.join(home.dir, 'models', 'tiny-plain', encoder)),
    await readFile(path.join(plain, encoder)),
  );
  // The trimmed model still transcribes like the export it came from.
  const { loadWhisperModel } = await import('../../electron/core/asr/whisper/index.ts');
  const { espeak } = await import('../asr/whisper-helpers.ts');
  const audio = { samples: espeak('Nothing leaves the machine.'), sampleRate: 16000 as const };
  const run = async (dir: string) => {
    const model = await loadWhisperModel(dir, { device: 'cpu', threads: 2 });
    try {
      return (await model.transcribe(audio, { maxNewTokens: 8, language: 'en' }).result()).segments;
    } finally {
      await model.dispose();
    }
  };
  assert.deepEqual(await run(path.join(home.dir, 'models', 'tiny-ts')), await run(ts));
});
