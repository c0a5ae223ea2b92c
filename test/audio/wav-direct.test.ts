/**
 * The in-process plain-WAV path: every shape it takes gives ffmpeg's own samples and metadata, it really runs no
 * ffmpeg, and every shape it does not take (or a damaged header) still goes to ffmpeg with today's result.
 * Files are made at test time with ffmpeg and sox; headers are then edited byte by byte for the hostile cases.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type AudioMeta, decodeStream, decodeToPcm16k } from '../../electron/core/audio/index.ts';
import { findTruncation } from '../../electron/core/audio/truncation.ts';
import { isEarshotError } from '../../electron/core/errors.ts';
import { type MediaSet, makeMediaSet, makeWithFfmpeg } from './media.ts';

let media: MediaSet;
let ffmpegLog: string;
let countingFfmpeg: string;

/** Where the `data` chunk's size field sits in a file (the first `data` chunk). */
function dataChunk(bytes: Buffer): { sizeAt: number; start: number; size: number } {
  for (let at = 12; at + 8 <= bytes.length; ) {
    const size = bytes.readUInt32LE(at + 4);
    if (bytes.toString('latin1', at, at + 4) === 'data') return { sizeAt: at + 4, start: at + 8, size };
    at += 8 + size + (size % 2);
  }
  throw new Error('no data chunk');
}

/** A WAVE_FORMAT_EXTENSIBLE file around the given PCM bytes. */
function extensible(pcm: Buffer, channels: number, bits: number, subformat: number, mask: number): Buffer {
  const fmt = Buffer.alloc(40);
  const blockAlign = channels * (bits / 8);
  fmt.writeUInt16LE(0xfffe, 0);
  fmt.writeUInt16LE(channels, 2);
  fmt.writeUInt32LE(16000, 4);
  fmt.writeUInt32LE(16000 * blockAlign, 8);
  fmt.writeUInt16LE(blockAlign, 12);
  fmt.writeUInt16LE(bits, 14);
  fmt.writeUInt16LE(22, 16);
  fmt.writeUInt16LE(bits, 18);
  fmt.writeUInt32LE(mask, 20);
  fmt.writeUInt16LE(subformat, 24);
  Buffer.from([0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71]).copy(fmt, 26);
  const chunk = (id: string, body: Buffer) => {
    const head = Buffer.alloc(8);
    head.write(id, 0, 'latin1');
    head.writeUInt32LE(body.length, 4);
    return Buffer.concat([head, body, Buffer.alloc(body.length % 2)]);
  };
  const body = Buffer.concat([
    Buffer.from('WAVE'),
    chunk('fmt ', fmt),
    chunk('JUNK', Buffer.alloc(28)),
    chunk('data', pcm),
  ]);
  return chunk('RIFF', body);
}

before(() => {
  media = makeMediaSet([]);
  const p = media.path;
  // 3 s of 16 kHz stereo from the shared base (speech left, a tone right), in each supported shape.
  const shapes: [string, string[]][] = [
    ['s16-mono.wav', ['-ac', '1', '-c:a', 'pcm_s16le']],
    ['s16-stereo.wav', ['-c:a', 'pcm_s16le']],
    ['f32-mono.wav', ['-ac', '1', '-c:a', 'pcm_f32le']],
    ['f32-stereo.wav', ['-c:a', 'pcm_f32le']],
    // 37,531 frames: a length whose printed `Duration` (hundredths, rounded) differs from a truncated one.
    ['odd-length.wav', ['-t', '2.34567', '-ac', '1', '-c:a', 'pcm_s16le']],
    // Not taken: other rates, depths and codecs.
    ['s16-8k.wav', ['-ac', '1', '-ar', '8000', '-c:a', 'pcm_s16le']],
    ['s24.wav', ['-c:a', 'pcm_s24le']],
    ['s32.wav', ['-c:a', 'pcm_s32le']],
    ['alaw.wav', ['-ac', '1', '-c:a', 'pcm_alaw']],
  ];
  for (const [file, args] of shapes) makeWithFfmpeg(['-i', media.base, '-ar', '16000', ...args, p(file)]);
  // sox writes its own headers (float as IEEE_FLOAT with a `fact` chunk).
  execFileSync('sox', [p('s16-stereo.wav'), '-e', 'floating-point', '-b', '32', p('sox-f32.wav')]);
  execFileSync('sox', [p('s16-stereo.wav'), '-e', 'signed-integer', '-b', '16', '-c', '1', p('sox-s16-mono.wav')]);

  const s16 = readFileSync(p('s16-stereo.wav'));
  const f32 = readFileSync(p('f32-stereo.wav'));
  const pcm16 = s16.subarray(dataChunk(s16).start, dataChunk(s16).start + dataChunk(s16).size);
  const pcm32 = f32.subarray(dataChunk(f32).start, dataChunk(f32).start + dataChunk(f32).size);
  writeFileSync(p('ext-s16.wav'), extensible(pcm16, 2, 16, 1, 0x3));
  writeFileSync(p('ext-f32.wav'), extensible(pcm32, 2, 32, 3, 0x3));
  // EXTENSIBLE with an unusual mask (front left + front centre): ffmpeg's downmix differs, so it must go there.
  writeFileSync(p('ext-mask.wav'), extensible(pcm16, 2, 16, 1, 0x5));

  const mono = readFileSync(p('s16-mono.wav'));
  const data = dataChunk(mono);
  writeFileSync(p('truncated.wav'), mono.subarray(0, mono.length - 10001));
  const streamed = Buffer.from(mono);
  streamed.writeUInt32LE(0xffffffff, data.sizeAt);
  writeFileSync(p('streamed.wav'), streamed);
  const zeroSize = Buffer.from(mono);
  zeroSize.writeUInt32LE(0, data.sizeAt);
  writeFileSync(p('zero-size.wav'), zeroSize);
  const odd = Buffer.from(mono);
  odd.writeUInt32LE(data.size - 1, data.sizeAt);
  writeFileSync(p('odd-size.wav'), odd);
  const hugeFmt = Buffer.from(mono);
  hugeFmt.writeUInt32LE(0x7ffffff0, 16); // the `fmt ` chunk claims 2 GB
  writeFileSync(p('huge-fmt.wav'), hugeFmt);
  const noFmt = Buffer.from(mono);
  noFmt.write('fmX ', 12, 'latin1');
  writeFileSync(p('no-fmt.wav'), noFmt);
  // 16-bit stereo whose data starts with an S/PDIF burst preamble: ffmpeg would probe it as AC-3/DTS.
  const spdif = Buffer.from(s16);
  Buffer.from([0x72, 0xf8, 0x1f, 0x4e, 0x01, 0x00, 0x00, 0x10]).copy(spdif, dataChunk(s16).start + 400);
  writeFileSync(p('spdif.wav'), spdif);

  // 3 minutes of 16-bit mono: more than the queue's 60 s high-water mark, so reading pauses and resumes.
  makeWithFfmpeg(['-stream_loop', '59', '-i', p('s16-mono.wav'), '-c:a', 'pcm_s16le', p('long.wav')]);

  ffmpegLog = p('ffmpeg-runs.log');
  countingFfmpeg = p('counting-ffmpeg.sh');
  writeFileSync(countingFfmpeg, `#!/bin/sh\necho run >> '${ffmpegLog}'\nexec ffmpeg "$@"\n`);
  chmodSync(countingFfmpeg, 0o755);
});
after(() => media?.cleanup());

function ffmpegRuns(): number {
  try {
    return readFileSync(ffmpegLog, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

/** Decodes once with the default ('auto') decoder through the counting ffmpeg; returns how many ffmpeg runs it took. */
async function decodeAuto(file: string) {
  const before = ffmpegRuns();
  const result = await decodeToPcm16k(media.path(file), { ffmpegPath: countingFfmpeg });
  return { ...result, runs: ffmpegRuns() - before };
}

function withoutDecoder(meta: AudioMeta): Omit<AudioMeta, 'decoder'> {
  const { decoder: _decoder, ...rest } = meta;
  return rest;
}

const sameBits = (a: Float32Array, b: Float32Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('plain 16 kHz PCM WAV is read without ffmpeg, bit-exact with it', () => {
  const taken = [
    'ffmpeg s16 mono: s16-mono.wav',
    'ffmpeg s16 stereo: s16-stereo.wav',
    'ffmpeg f32 mono: f32-mono.wav',
    'ffmpeg f32 stereo: f32-stereo.wav',
    'ffmpeg s16 mono, 2.3456875 s: odd-length.wav',
    'sox f32 stereo (fact chunk): sox-f32.wav',
    'sox s16 mono: sox-s16-mono.wav',
    'EXTENSIBLE s16 stereo (JUNK chunk): ext-s16.wav',
    'EXTENSIBLE f32 stereo: ext-f32.wav',
    'three minutes, paused and resumed: long.wav',
  ];
  for (const label of taken) {
    const file = label.split(': ')[1];
    test(label, async () => {
      const direct = await decodeAuto(file);
      const viaFfmpeg = await decodeToPcm16k(media.path(file), { decoder: 'native' });
      assert.equal(direct.runs, 0, 'no ffmpeg process was started');
      assert.equal(direct.meta.decoder, 'wav');
      assert.deepEqual(withoutDecoder(direct.meta), withoutDecoder(viaFfmpeg.meta));
      assert.equal(direct.samples.length, viaFfmpeg.samples.length);
      assert.ok(sameBits(direct.samples, viaFfmpeg.samples), 'every sample equals ffmpeg’s, bit for bit');
    });
  }
});

describe('anything else still goes to ffmpeg, with the same outcome as before', () => {
  const handedOver = [
    '8 kHz: s16-8k.wav',
    '24-bit: s24.wav',
    '32-bit integer: s32.wav',
    'A-law: alaw.wav',
    'EXTENSIBLE with an unusual channel mask: ext-mask.wav',
    'data cut off (declares more than the file has): truncated.wav',
    'streamed data size 0xFFFFFFFF: streamed.wav',
    'data size 0: zero-size.wav',
    'data size not a whole number of frames: odd-size.wav',
    'fmt chunk claiming 2 GB: huge-fmt.wav',
    'no fmt chunk: no-fmt.wav',
    'S/PDIF preamble in 16-bit stereo: spdif.wav',
  ];
  for (const label of handedOver) {
    const file = label.split(': ')[1];
    test(label, async () => {
      const outcome = async (run: () => Promise<{ samples: Float32Array; meta: AudioMeta }>) => {
        try {
          const r = await run();
          return { samples: r.samples, meta: withoutDecoder(r.meta), decoder: r.meta.decoder };
        } catch (e) {
          assert.ok(isEarshotError(e), String(e));
          return { error: `${e.code}: ${e.message}` };
        }
      };
      const before = ffmpegRuns();
      const auto = await outcome(() => decodeToPcm16k(media.path(file), { ffmpegPath: countingFfmpeg }));
      const native = await outcome(() => decodeToPcm16k(media.path(file), { decoder: 'native' }));
      assert.ok(ffmpegRuns() - before >= 1, 'ffmpeg was started');
      if ('error' in native) {
        assert.equal(auto.error, native.error);
      } else {
        assert.equal(auto.decoder, 'native');
        assert.deepEqual(auto.meta, native.meta);
        assert.ok(sameBits(auto.samples!, native.samples));
      }
    });
  }

  test('the API’s truncation check still sees a cut-off WAV decoded by the default path', async () => {
    const r = await decodeToPcm16k(media.path('truncated.wav'));
    const missing = await findTruncation({
      path: media.path('truncated.wav'),
      bytes: r.meta.bytes,
      container: r.meta.container,
      declaredSeconds: r.meta.declaredDuration,
      decodedSeconds: r.meta.duration,
    });
    assert.match(missing ?? '', /cut off/);
  });
});

test('an explicit decoder choice is honoured for a plain WAV', async () => {
  for (const decoder of ['native', 'wasm'] as const) {
    const r = await decodeToPcm16k(media.path('s16-mono.wav'), { decoder });
    assert.equal(r.meta.decoder, decoder);
  }
});

test('cancelling stops the in-process read with CANCELLED', async () => {
  const controller = new AbortController();
  const stream = await decodeStream(media.path('long.wav'), { signal: controller.signal });
  try {
    assert.equal(stream.meta.decoder, 'wav');
    let chunks = 0;
    await assert.rejects(
      (async () => {
        for await (const _chunk of stream) {
          chunks++;
          if (chunks === 2) controller.abort();
        }
      })(),
      (e: unknown) => isEarshotError(e, 'CANCELLED'),
    );
    assert.equal(chunks, 2);
  } finally {
    await stream.close(); // a failed assertion must not leave a decoder running
  }
});

test('the duration limit applies before any sample is read', async () => {
  await assert.rejects(decodeToPcm16k(media.path('long.wav'), { maxDurationSeconds: 60 }), (e: unknown) =>
    isEarshotError(e, 'AUDIO_TOO_LONG'),
  );
});
