/**
 * MediaRecorder-style WebM (a live stream: no Duration) gets its length written on stop. ffmpeg's `-live 1` WebM
 * muxer writes the same shape as Chromium's MediaRecorder (an unknown-size Segment, Info without Duration).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { decodeToPcm16k } from '../../electron/core/audio/index.ts';
import { setWebmDuration } from '../../electron/core/live/webm-duration.ts';
import { speechWav, tempHome } from '../app/fixtures.ts';

const probeDuration = (file: string) =>
  execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], {
    encoding: 'utf8',
  }).trim();

test('a live WebM gets its duration; the audio is unchanged; a second call and a non-WebM file are left alone', async () => {
  const dir = await tempHome('earshot-webm-');
  const wav = speechWav(path.join(dir, 'a.wav'), 'hello there, this recording has no duration yet');
  const webm = path.join(dir, 'a.webm');
  execFileSync('ffmpeg', ['-v', 'error', '-i', wav, '-c:a', 'libopus', '-f', 'webm', '-live', '1', webm]);
  assert.equal(probeDuration(webm), 'N/A');
  const before = (await decodeToPcm16k(webm)).samples;
  assert.equal(await setWebmDuration(webm, 2.75), true);
  assert.equal(Number(probeDuration(webm)), 2.75);
  assert.deepEqual((await decodeToPcm16k(webm)).samples, before, 'the same audio decodes');
  const bytes = await fs.readFile(webm);
  assert.equal(await setWebmDuration(webm, 9), false, 'an existing duration is kept');
  assert.deepEqual(await fs.readFile(webm), bytes);
  assert.equal(await setWebmDuration(wav, 3), false, 'not a WebM: untouched');
  assert.deepEqual((await fs.readdir(dir)).sort(), ['a.wav', 'a.webm'], 'no temporary file is left');
  await fs.rm(dir, { recursive: true, force: true });
});
