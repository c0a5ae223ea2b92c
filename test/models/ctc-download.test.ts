/**
 * The catalog downloads any registered model family, not only Whisper: a CTC pack (the demo model's files, served by
 * a local stand-in for the Hub) is pulled, verified, installed as family "ctc", and then transcribes speech through
 * the same loader as every face. An entry whose variant lacks the pack's files is refused by the family's rules.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadSpeechModel } from '../../electron/core/asr/load-model.ts';
import { decodeToPcm16k } from '../../electron/core/audio/index.ts';
import { parseCatalog } from '../../electron/core/models/catalog.ts';
import { ModelManager } from '../../electron/core/models/index.ts';
import { startHub, type HubServer } from './hf-server.ts';
import { REVISION, tempDir } from './helpers.ts';

const PACK = path.resolve('models/demo-en');
const REPO = 'earshot-test/demo-ctc';

let hub: HubServer;
let home: { dir: string; cleanup: () => Promise<void> };

before(async () => {
  hub = await startHub(PACK, REPO, REVISION);
  home = await tempDir('earshot-ctc-download-');
});
after(async () => {
  await hub.close();
  await home.cleanup();
});

const file = (p: string) => ({
  path: p,
  size: statSync(path.join(PACK, p)).size,
  sha256: createHash('sha256')
    .update(readFileSync(path.join(PACK, p)))
    .digest('hex'),
});

function ctcEntry(variantFiles: string[]) {
  return {
    id: 'demo-ctc',
    name: 'Demo CTC pack (downloaded)',
    family: 'ctc',
    licence: 'GPL-3.0-or-later',
    languages: ['en'],
    accuracy: [],
    source: { repo: REPO, revision: REVISION },
    defaultVariant: 'fp32',
    sharedFiles: [file('model.json'), file('lm.json')],
    variants: { fp32: { files: variantFiles.map(file) } },
  };
}

const catalogOf = (entry: unknown) => ({ schemaVersion: 1, languageSets: {}, models: [entry] });

test('a CTC pack in the catalog is pulled, installed as family ctc, and transcribes', async () => {
  const manager = new ModelManager({
    modelsDir: path.join(home.dir, 'models'),
    bundledDir: path.join(home.dir, 'no-bundled'),
    catalog: parseCatalog(catalogOf(ctcEntry(['model.onnx']))),
    endpoint: hub.url,
    download: { retries: 1, backoffMs: 10, reserveBytes: 0 },
  });
  const info = await manager.pull('demo-ctc');
  assert.equal(info.installed, true);
  assert.equal(info.family, 'ctc');
  assert.deepEqual(info.variants, ['fp32']);
  assert.ok(hub.log.some((r) => r.path.endsWith('/model.onnx') && r.method === 'GET'));
  const resolved = await manager.resolveModel('demo-ctc');
  assert.equal(resolved.family, 'ctc');
  for (const name of ['model.json', 'model.onnx', 'lm.json']) {
    assert.ok(readFileSync(path.join(resolved.dir, name)).equals(readFileSync(path.join(PACK, name))), name);
  }

  const wav = path.join(home.dir, 'speech.wav');
  execFileSync('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', wav, 'please write your name at the top of the page']);
  const pcm = await decodeToPcm16k(wav);
  const model = await loadSpeechModel(resolved.dir, { device: 'cpu', threads: 1 });
  try {
    assert.equal(model.family, 'ctc');
    const result = await model.transcribe({ samples: pcm.samples, sampleRate: 16000 }).result();
    const words = result.text.split(/\s+/);
    for (const w of ['please', 'name', 'page']) assert.ok(words.includes(w), `"${w}" in "${result.text}"`);
  } finally {
    await model.dispose();
  }
});

test('a CTC entry whose variant lacks the pack’s model.onnx is refused by the family’s rules', () => {
  assert.throws(() => parseCatalog(catalogOf(ctcEntry(['lm.json']))), /variant fp32 lacks model\.onnx/);
});

test('an entry of a family no one registered keeps the generic files-only schema', () => {
  const entry = { ...ctcEntry(['model.onnx']), family: 'rnnt' };
  const catalog = parseCatalog(catalogOf(entry));
  assert.equal(catalog.models[0].family, 'rnnt');
});
