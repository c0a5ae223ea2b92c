/**
 * The media table (core/media-types.ts) walked through every path that decides "is this media": real files made
 * with ffmpeg for each container, given each of the table's extensions, through the sniffer, the folder import (and
 * the watch folder's name check), the OS file associations, and the API server's decoder and 415 answer. Formats outside the
 * table (AVI, WMA, AMR, CAF) are refused by the sniffer and, by name, never queued from a folder.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { sniffFile, SUPPORTED_FORMATS as AUDIO_FORMATS } from '../../electron/core/audio/index.ts';
import { expandMediaPaths } from '../../electron/core/jobs/sources.ts';
import {
  dialogExtensions,
  isMediaName,
  MEDIA_EXTENSIONS,
  MEDIA_TYPES,
  SUPPORTED_FORMATS,
} from '../../electron/core/media-types.ts';
import { audioService } from '../../electron/core/server/deps.ts';
import { toHttpError } from '../../electron/core/server/http-errors.ts';
import { tempDir } from '../server/harness.ts';
import { FORMATS, makeMediaSet, makeWithFfmpeg } from './media.ts';

const set = makeMediaSet(FORMATS.filter((c, i) => FORMATS.findIndex((d) => d.container === c.container) === i));
after(() => set.cleanup());

/** One real file per container of the table. */
function sample(container: string): string {
  const c = FORMATS.find((f) => f.container === container);
  assert.ok(c, `test/audio/media.ts makes a ${container} file`);
  return set.path(c.file);
}

/** Containers the sniffer refuses, made by ffmpeg where it can (AMR has no encoder in Debian's ffmpeg: its magic). */
function refused(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [ext, args] of [
    ['.avi', []],
    ['.wma', ['-c:a', 'wmav2']],
    ['.caf', []],
  ] as const) {
    out[ext] = path.join(dir, `refused${ext}`);
    makeWithFfmpeg(['-f', 'lavfi', '-i', 'sine=d=0.3', ...args, out[ext]]);
  }
  out['.amr'] = path.join(dir, 'refused.amr');
  writeFileSync(out['.amr'], Buffer.concat([Buffer.from('#!AMR\n'), Buffer.alloc(320, 0x3c)]));
  return out;
}

test('the table is one list: audio re-exports it, no extension belongs to two containers', () => {
  assert.deepEqual(AUDIO_FORMATS, SUPPORTED_FORMATS);
  assert.deepEqual(new Set(SUPPORTED_FORMATS), new Set(FORMATS.map((f) => f.container)), 'every container is tested');
  const all = MEDIA_TYPES.flatMap((t) => t.extensions);
  assert.equal(new Set(all).size, all.length);
  assert.deepEqual(new Set(dialogExtensions().map((e) => `.${e}`)), MEDIA_EXTENSIONS);
});

test('each extension, carrying its container, is sniffed as that container and queued from a folder', async () => {
  const folder = path.join(set.dir, 'drop');
  mkdirSync(folder);
  const expected: string[] = [];
  for (const type of MEDIA_TYPES) {
    for (const ext of type.extensions) {
      for (const name of [`x${ext}`, `upper${ext.toUpperCase()}`]) {
        const file = path.join(folder, `${type.container}-${name}`);
        copyFileSync(sample(type.container), file);
        assert.equal((await sniffFile(file))?.container, type.container, file);
        assert.equal(isMediaName(file), true, file);
        expected.push(path.basename(file));
      }
    }
  }
  const { sources } = await expandMediaPaths([folder]);
  assert.deepEqual(sources.map((s) => s.name).sort(), expected.sort());
});

test('what the sniffer refuses (AVI, WMA, AMR, CAF) is not queued from a folder, nor opened from the OS', async () => {
  const folder = path.join(set.dir, 'refused');
  mkdirSync(folder);
  const files = refused(folder);
  for (const [ext, file] of Object.entries(files)) {
    assert.equal(await sniffFile(file), null, `${ext} bytes are not recognised`);
    assert.equal(isMediaName(file), false, `${ext} is not a media name`);
  }
  copyFileSync(sample('wav'), path.join(folder, 'keep.wav'));
  const { sources } = await expandMediaPaths([folder]);
  assert.deepEqual(
    sources.map((s) => s.name),
    ['keep.wav'],
  );
});

test('the OS file associations (electron-builder.yml) name only extensions of the table', () => {
  const yml = readFileSync(path.join(import.meta.dirname, '../../electron-builder.yml'), 'utf8');
  const line = /fileAssociations:\s*\n\s*-\s*ext:\s*\[([^\]]+)\]/.exec(yml);
  assert.ok(line, 'electron-builder.yml declares file associations');
  for (const ext of line[1].split(',').map((e) => e.trim())) assert.ok(MEDIA_EXTENSIONS.has(`.${ext}`), ext);
});

test("the API server's decoder refuses those bytes with 415 and the table as supported_formats", async () => {
  const home = tempDir('media-table');
  after(() => rmSync(home, { recursive: true, force: true }));
  const audio = audioService(60);
  assert.deepEqual(audio.supportedFormats, SUPPORTED_FORMATS);
  for (const [ext, file] of Object.entries(refused(home))) {
    const e = await audio.decode(file, new AbortController().signal).then(
      () => assert.fail(`${ext} decoded`),
      (err: unknown) => err,
    );
    const http = toHttpError(e, { requestId: 'r', supportedFormats: audio.supportedFormats, maxSizeMb: 100 });
    assert.equal(http.status, 415, ext);
    assert.equal(http.body.code, 'UNSUPPORTED_FORMAT');
    assert.deepEqual(http.body.supported_formats, SUPPORTED_FORMATS);
  }
});
