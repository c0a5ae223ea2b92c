import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import {
  decodeToPcm16k,
  type DecoderKind,
  findFfmpeg,
  SUPPORTED_FORMATS,
  sniffFile,
  sniffFormat,
} from '../../electron/core/audio/index.ts';
import { BASE_SECONDS, correlation, FORMATS, ffmpegReference, type MediaSet, makeMediaSet } from './media.ts';

let media: MediaSet;
before(() => {
  media = makeMediaSet();
});
after(() => media?.cleanup());

test('native ffmpeg is found on PATH here', async () => {
  assert.ok(await findFfmpeg(), 'Debian ffmpeg should be installed');
});

test('every generated format is recognised from its bytes (names are never read)', async () => {
  for (const c of FORMATS) {
    const head = new Uint8Array(readFileSync(media.path(c.file)).subarray(0, 4096));
    assert.equal(sniffFormat(head)?.container, c.container, c.name);
    assert.equal((await sniffFile(media.path(c.file)))?.container, c.container, c.name);
    assert.ok(SUPPORTED_FORMATS.includes(c.container));
  }
});

for (const decoder of ['native', 'wasm'] as DecoderKind[]) {
  describe(`${decoder} decoder`, () => {
    for (const c of FORMATS) {
      test(`${c.name}: 16 kHz mono, duration within 50 ms, matches the ffmpeg CLI`, async () => {
        const file = media.path(c.file);
        const { samples, sampleRate, meta } = await decodeToPcm16k(file, { decoder });
        assert.equal(sampleRate, 16000);
        assert.equal(meta.decoder, decoder);
        assert.equal(meta.container, c.container);
        assert.equal(meta.channels, c.channels);
        assert.equal(meta.originalSampleRate, c.rate);
        assert.ok(meta.codec.length > 0);
        assert.ok(Math.abs(meta.duration - BASE_SECONDS) <= 0.05, `duration ${meta.duration}`);
        assert.ok(Math.abs(samples.length / 16000 - meta.duration) < 1e-9);
        const r = correlation(samples, ffmpegReference(file));
        assert.ok(r >= 0.99, `correlation with the ffmpeg CLI ${r.toFixed(4)}`);
      });
    }
  });
}

test('both decoders give the same samples for the same file', async () => {
  const file = media.path('a.m4a');
  const [n, w] = await Promise.all([
    decodeToPcm16k(file, { decoder: 'native' }),
    decodeToPcm16k(file, { decoder: 'wasm' }),
  ]);
  assert.ok(Math.abs(n.samples.length - w.samples.length) <= 160);
  assert.ok(correlation(n.samples, w.samples) >= 0.99);
});

test('bytes in memory decode like the file (detected from content, no name)', async () => {
  const { readFile } = await import('node:fs/promises');
  const bytes = new Uint8Array(await readFile(media.path('a.flac')));
  const { meta, samples } = await decodeToPcm16k(bytes, { decoder: 'wasm' });
  assert.equal(meta.container, 'flac');
  assert.equal(meta.bytes, bytes.length);
  assert.ok(Math.abs(samples.length / 16000 - BASE_SECONDS) <= 0.05);
});

test('the downmix mixes both channels (the tone on the right survives)', async () => {
  const { samples } = await decodeToPcm16k(media.path('s16.wav'), { decoder: 'wasm' });
  // Last half second: speech has ended, only the 330 Hz tone of the right channel remains.
  const tail = samples.subarray(samples.length - 8000);
  const rms = Math.sqrt(tail.reduce((s, x) => s + x * x, 0) / tail.length);
  assert.ok(rms > 0.05, `rms ${rms}`);
});
