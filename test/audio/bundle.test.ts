/**
 * The wasm decoder must work from the esbuild bundle as users run it (dist/cli.js + dist/audio-wasm-worker.js), not
 * only from sources through tsx. This bundles a small entry and the worker with the same esbuild options as
 * tools/build.ts into a temp folder that sees the repo's node_modules, and decodes a file with plain node.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import { baseOptions } from '../../tools/build.ts';

let dir: string;
before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-audio-bundle-'));
  symlinkSync(path.resolve('node_modules'), path.join(dir, 'node_modules'), 'dir');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('the bundled wasm decoder finds its worker and decodes with plain node', async () => {
  const audio = path.resolve('electron/core/audio/index.ts');
  const entry = path.join(dir, 'entry.ts');
  writeFileSync(
    entry,
    `import { decodeToPcm16k } from ${JSON.stringify(audio)};
const r = await decodeToPcm16k(process.argv[2], { decoder: 'wasm' });
console.log(JSON.stringify({ samples: r.samples.length, decoder: r.meta.decoder, container: r.meta.container }));`,
  );
  const out = path.join(dir, 'dist');
  mkdirSync(out);
  await build({ ...baseOptions, entryPoints: [entry], outfile: path.join(out, 'cli.js'), format: 'esm' });
  await build({
    ...baseOptions,
    entryPoints: ['electron/core/audio/wasm-worker.ts'],
    outfile: path.join(out, 'audio-wasm-worker.js'),
    format: 'esm',
  });
  const wav = path.join(dir, 'tone.wav');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=f=440:d=2', '-ar', '22050', wav]);
  const result = JSON.parse(execFileSync(process.execPath, [path.join(out, 'cli.js'), wav], { encoding: 'utf8' }));
  assert.deepEqual(result, { samples: 32000, decoder: 'wasm', container: 'wav' });
});
