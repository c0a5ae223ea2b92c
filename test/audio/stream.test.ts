import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { decodeStream, decodeToPcm16k, type DecoderKind } from '../../electron/core/audio/index.ts';

const SECONDS = 150;
let dir: string;
let file: string;
before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-stream-test-'));
  file = path.join(dir, 'long.ogg');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `sine=f=220:d=${SECONDS}`, '-c:a', 'libvorbis', file]);
});
after(() => rmSync(dir, { recursive: true, force: true }));

for (const decoder of ['native', 'wasm'] as DecoderKind[]) {
  test(`${decoder}: a slow consumer pauses the decoder and still gets every sample in order`, async () => {
    const whole = await decodeToPcm16k(file, { decoder });
    const stream = await decodeStream(file, { decoder });
    assert.ok(Math.abs(stream.meta.duration - SECONDS) < 0.1, 'the container estimate is known before decoding');
    const got = new Float32Array(whole.samples.length);
    let at = 0;
    let first = true;
    for await (const chunk of stream) {
      // Stall long enough for the decoder to outrun its queue (more than 60 s of audio) and have to wait.
      if (first) await sleep(1500);
      first = false;
      got.set(chunk, at);
      at += chunk.length;
    }
    assert.equal(at, whole.samples.length);
    assert.deepEqual(got, whole.samples);
    assert.equal(stream.meta.duration, whole.samples.length / 16000);
  });
}
