import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { decodeStream, decodeToPcm16k, type DecoderKind, SUPPORTED_FORMATS } from '../../electron/core/audio/index.ts';
import { type EarshotError, isEarshotError } from '../../electron/core/errors.ts';
import { type MediaSet, makeMediaSet, makeWithFfmpeg, privateTmpdir } from './media.ts';

let media: MediaSet;
const tmp = privateTmpdir();
const tempEntries = () => tmp.entries();
let tempBefore: string[];

before(() => {
  tempBefore = tempEntries();
  media = makeMediaSet([
    { name: 'mp3', container: 'mp3', file: 'a.mp3', args: ['-c:a', 'libmp3lame'], channels: 2, rate: 44100 },
    {
      name: 'mp4',
      container: 'mp4',
      file: 'v.mp4',
      video: true,
      args: ['-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac'],
      channels: 2,
      rate: 44100,
    },
  ]);
  const p = media.path;
  makeWithFfmpeg([
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=64x48:rate=10:duration=2',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    p('video-only.mp4'),
  ]);
  makeWithFfmpeg([
    '-f',
    'lavfi',
    '-i',
    'anullsrc=r=16000:cl=mono',
    '-t',
    '0',
    '-c:a',
    'pcm_s16le',
    p('zero-samples.wav'),
  ]);
  writeFileSync(p('empty.wav'), '');
  writeFileSync(p('notes.mp3'), 'These are meeting notes, not audio.\n'.repeat(50));
  const mp4 = readFileSync(p('v.mp4'));
  // moov is written last by default: cutting the file loses it, as an interrupted upload would.
  writeFileSync(p('truncated.mp4'), mp4.subarray(0, Math.floor(mp4.length * 0.6)));
  const garbage = Buffer.alloc(20000);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) % 251;
  writeFileSync(p('garbage.flac'), Buffer.concat([Buffer.from('fLaC'), garbage]));
  writeFileSync(p('random.wav'), garbage);
});
after(() => {
  media?.cleanup();
  tmp.restore();
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    assert.ok(isEarshotError(e), `expected an EarshotError, got ${e}`);
    return (e as EarshotError).code;
  }
  return 'no error';
}

for (const decoder of ['native', 'wasm'] as DecoderKind[]) {
  describe(`${decoder}: every bad input has its own error code`, () => {
    test('a text file named .mp3 → UNSUPPORTED_FORMAT with the supported list', async () => {
      try {
        await decodeToPcm16k(media.path('notes.mp3'), { decoder });
        assert.fail('should throw');
      } catch (e) {
        assert.ok(isEarshotError(e, 'UNSUPPORTED_FORMAT'));
        assert.deepEqual(e.details.supported_formats, SUPPORTED_FORMATS);
      }
    });
    test('random bytes named .wav → UNSUPPORTED_FORMAT', async () => {
      assert.equal(await codeOf(decodeToPcm16k(media.path('random.wav'), { decoder })), 'UNSUPPORTED_FORMAT');
    });
    test('a video without an audio stream → UNSUPPORTED_FORMAT', async () => {
      try {
        await decodeToPcm16k(media.path('video-only.mp4'), { decoder });
        assert.fail('should throw');
      } catch (e) {
        assert.ok(isEarshotError(e, 'UNSUPPORTED_FORMAT'), String(e));
        assert.match(e.message, /no audio stream/);
      }
    });
    test('an empty file → EMPTY_AUDIO', async () => {
      assert.equal(await codeOf(decodeToPcm16k(media.path('empty.wav'), { decoder })), 'EMPTY_AUDIO');
    });
    test('a valid WAV with zero samples → EMPTY_AUDIO', async () => {
      assert.equal(await codeOf(decodeToPcm16k(media.path('zero-samples.wav'), { decoder })), 'EMPTY_AUDIO');
    });
    test('a truncated MP4 (moov lost) → CORRUPT_MEDIA', async () => {
      assert.equal(await codeOf(decodeToPcm16k(media.path('truncated.mp4'), { decoder })), 'CORRUPT_MEDIA');
    });
    test('a FLAC signature followed by garbage → CORRUPT_MEDIA', async () => {
      assert.equal(await codeOf(decodeToPcm16k(media.path('garbage.flac'), { decoder })), 'CORRUPT_MEDIA');
      // The message names the problem, never the file's path (API clients must not learn server paths).
      const message = await decodeToPcm16k(media.path('garbage.flac'), { decoder }).then(
        () => '',
        (e: Error) => e.message,
      );
      assert.ok(!message.includes(media.path('garbage.flac')), message);
    });
    test('over maxBytes → FILE_TOO_LARGE (file and bytes)', async () => {
      assert.equal(await codeOf(decodeToPcm16k(media.path('a.mp3'), { decoder, maxBytes: 1000 })), 'FILE_TOO_LARGE');
      const bytes = new Uint8Array(readFileSync(media.path('a.mp3')));
      assert.equal(await codeOf(decodeToPcm16k(bytes, { decoder, maxBytes: 1000 })), 'FILE_TOO_LARGE');
    });
    test('over maxDurationSeconds → AUDIO_TOO_LONG', async () => {
      assert.equal(
        await codeOf(decodeToPcm16k(media.path('a.mp3'), { decoder, maxDurationSeconds: 1 })),
        'AUDIO_TOO_LONG',
      );
    });
    test('an aborted signal → CANCELLED, before and during decoding', async () => {
      assert.equal(
        await codeOf(decodeToPcm16k(media.path('a.mp3'), { decoder, signal: AbortSignal.abort() })),
        'CANCELLED',
      );
      const controller = new AbortController();
      const stream = await decodeStream(media.path('a.mp3'), { decoder, signal: controller.signal });
      controller.abort();
      const drain = async () => {
        for await (const _ of stream) {
          // keep reading until the abort lands
        }
      };
      assert.equal(await codeOf(drain()), 'CANCELLED');
    });
  });
}

test('a missing file → NOT_FOUND naming the path', async () => {
  try {
    await decodeToPcm16k(`${media.dir}/nope.mp3`);
    assert.fail('should throw');
  } catch (e) {
    assert.ok(isEarshotError(e, 'NOT_FOUND'), String(e));
    assert.match(e.message, /nope\.mp3/);
  }
});

test('a missing configured ffmpeg with decoder "native" is reported, "auto" falls back to wasm', async () => {
  assert.equal(
    await codeOf(decodeToPcm16k(media.path('a.mp3'), { decoder: 'native', ffmpegPath: '/nonexistent/ffmpeg' })),
    'SERVICE_UNAVAILABLE',
  );
  const r = await decodeToPcm16k(media.path('a.mp3'), { decoder: 'auto', ffmpegPath: '/nonexistent/ffmpeg' });
  assert.equal(r.meta.decoder, 'wasm');
});

test('a system ffmpeg that cannot run: "auto" falls back to wasm, "native" reports INTERNAL_ERROR', async () => {
  const broken = media.path('broken-ffmpeg');
  writeFileSync(broken, '#!/bin/sh\necho "error while loading shared libraries: libavcodec.so.59" >&2\nexit 127\n', {
    mode: 0o755,
  });
  const r = await decodeToPcm16k(media.path('a.mp3'), { decoder: 'auto', ffmpegPath: broken });
  assert.equal(r.meta.decoder, 'wasm');
  try {
    await decodeToPcm16k(media.path('a.mp3'), { decoder: 'native', ffmpegPath: broken });
    assert.fail('should throw');
  } catch (e) {
    assert.ok(isEarshotError(e, 'INTERNAL_ERROR'));
    assert.match(e.message, /shared libraries/);
  }
});

test('progress rises to 1 and the event loop stays responsive during a wasm decode', async () => {
  const long = media.path('long.mp3');
  makeWithFfmpeg(['-f', 'lavfi', '-i', 'sine=f=440:d=120', '-ac', '1', '-b:a', '32k', long]);
  const fractions: number[] = [];
  let last = performance.now();
  let worstGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worstGap = Math.max(worstGap, now - last);
    last = now;
  }, 10);
  try {
    const r = await decodeToPcm16k(long, { decoder: 'wasm', onProgress: (f) => fractions.push(f) });
    assert.ok(Math.abs(r.meta.duration - 120) < 0.05);
  } finally {
    clearInterval(timer);
  }
  assert.ok(fractions.length >= 3);
  assert.equal(fractions.at(-1), 1);
  assert.ok(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]));
  assert.ok(worstGap < 300, `event loop stalled for ${worstGap.toFixed(0)} ms`);
});

test('stopping a stream early ends the decoder and leaves no temp files', async () => {
  const bytes = new Uint8Array(readFileSync(media.path('a.mp3')));
  for (const decoder of ['native', 'wasm'] as DecoderKind[]) {
    const stream = await decodeStream(bytes, { decoder });
    for await (const chunk of stream) {
      assert.ok(chunk.length > 0);
      break;
    }
  }
  assert.deepEqual(tempEntries(), tempBefore);
});

test('no temp files are left behind after failures either', () => {
  assert.deepEqual(tempEntries(), tempBefore);
});
