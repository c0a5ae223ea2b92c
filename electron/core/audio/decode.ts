/**
 * The entry points: any media file, bytes or URL → 16 kHz mono float32, streamed (`decodeStream`) or whole
 * (`decodeToPcm16k`). Inputs are sniffed from their bytes, checked against the caller's limits, then decoded by the
 * native ffmpeg when available or by the built-in WebAssembly ffmpeg; a plain 16 kHz PCM WAV is read directly, without
 * ffmpeg (wav-direct.ts). Temp files are always removed.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EarshotError, isEarshotError, throwIfAborted } from '../errors.ts';
import type { StreamHeader } from './ffmpeg-log.ts';
import { fetchToTempFile, looksLikeUrl, parseAllowedUrl } from './fetch-url.ts';
import { findFfmpeg, startNativeDecoder } from './native.ts';
import type { PcmProducer } from './producer.ts';
import { SUPPORTED_FORMATS, sniffFile } from './sniff.ts';
import {
  type AudioMeta,
  type AudioSource,
  type DecodedAudio,
  type DecodeOptions,
  type DecoderKind,
  TARGET_SAMPLE_RATE,
} from './types.ts';
import { startWasmDecoder } from './wasm.ts';
import { probePlainWav, startWavDecoder } from './wav-direct.ts';

/** A decode in progress: iterate it for 16 kHz mono chunks; `meta.duration` becomes exact when iteration ends. */
export interface AudioStream extends AsyncIterable<Float32Array> {
  readonly meta: AudioMeta;
  /** Stops decoding and removes temp files; iteration ending (or breaking out of it) does this too. */
  close(): Promise<void>;
}

interface LocalInput {
  path: string;
  bytes: number;
  cleanup(): Promise<void>;
}

const nothing = async () => {};

async function localInput(source: AudioSource, opts: DecodeOptions): Promise<LocalInput> {
  if (source instanceof Uint8Array) {
    checkSize(source.byteLength, opts.maxBytes);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'earshot-audio-'));
    const file = path.join(dir, 'input');
    try {
      await writeFile(file, source);
    } catch (e) {
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
    return { path: file, bytes: source.byteLength, cleanup: () => rm(dir, { recursive: true, force: true }) };
  }
  const text = source instanceof URL ? source.href : source;
  if (source instanceof URL || looksLikeUrl(text)) {
    parseAllowedUrl(text);
    const maxBytes = minDefined(opts.maxBytes, opts.url?.maxBytes);
    const fetched = await fetchToTempFile(text, { ...opts.url, maxBytes, signal: opts.signal ?? opts.url?.signal });
    return { path: fetched.path, bytes: fetched.bytes, cleanup: fetched.cleanup };
  }
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(text);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new EarshotError('NOT_FOUND', `File not found: ${text}`);
    throw new EarshotError('INVALID_PARAMETER', `Cannot read ${text} (${code})`);
  }
  if (!info.isFile()) throw new EarshotError('INVALID_PARAMETER', `Not a file: ${text}`);
  checkSize(info.size, opts.maxBytes);
  return { path: text, bytes: info.size, cleanup: nothing };
}

function minDefined(a?: number, b?: number): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

function checkSize(bytes: number, maxBytes?: number): void {
  if (maxBytes !== undefined && bytes > maxBytes) {
    throw new EarshotError('FILE_TOO_LARGE', `The file is ${bytes} bytes; the limit is ${maxBytes}`, {
      max_bytes: maxBytes,
    });
  }
}

async function chooseDecoder(opts: DecodeOptions): Promise<{ kind: DecoderKind; ffmpeg?: string }> {
  const wanted = opts.decoder ?? 'auto';
  if (wanted === 'wasm') return { kind: 'wasm' };
  const ffmpeg = await findFfmpeg(opts.ffmpegPath);
  if (ffmpeg) return { kind: 'native', ffmpeg };
  if (wanted === 'native') {
    const where = opts.ffmpegPath ?? process.env.EARSHOT_FFMPEG;
    throw new EarshotError(
      'SERVICE_UNAVAILABLE',
      where ? `ffmpeg was not found at ${where}` : 'ffmpeg was not found on PATH; use the built-in decoder instead',
    );
  }
  return { kind: 'wasm' };
}

function unsupported(message: string): EarshotError {
  return new EarshotError('UNSUPPORTED_FORMAT', message, { supported_formats: SUPPORTED_FORMATS });
}

export async function decodeStream(source: AudioSource, opts: DecodeOptions = {}): Promise<AudioStream> {
  throwIfAborted(opts.signal);
  const input = await localInput(source, opts);
  let producer: PcmProducer | null = null;
  try {
    throwIfAborted(opts.signal);
    if (input.bytes === 0) throw new EarshotError('EMPTY_AUDIO', 'The file is empty (0 bytes)');
    const format = await sniffFile(input.path);
    if (!format) throw unsupported(`Not a supported audio or video file (supported: ${SUPPORTED_FORMATS.join(', ')})`);
    const started = { path: input.path, recognised: true, signal: opts.signal };
    const auto = (opts.decoder ?? 'auto') === 'auto';
    // A plain 16 kHz PCM WAV is read in-process ('auto' only: an explicit decoder choice is honoured).
    const plainWav = auto && format.container === 'wav' ? await probePlainWav(input.path, input.bytes) : null;
    let kind: AudioMeta['decoder'];
    if (plainWav) {
      kind = 'wav';
      producer = startWavDecoder(plainWav, started);
    } else {
      const decoder = await chooseDecoder(opts);
      kind = decoder.kind;
      producer = kind === 'native' ? startNativeDecoder(decoder.ffmpeg!, started) : await startWasmDecoder(started);
    }
    let header: StreamHeader;
    try {
      header = await producer.header;
    } catch (e) {
      // A system ffmpeg that cannot run (broken install, missing libraries) must not stop 'auto': use the built-in one.
      if (!(kind === 'native' && auto && isEarshotError(e, 'INTERNAL_ERROR'))) throw e;
      producer.close();
      kind = 'wasm';
      producer = await startWasmDecoder(started);
      header = await producer.header;
    }
    if (opts.maxDurationSeconds !== undefined && header.duration > opts.maxDurationSeconds) {
      throw tooLong(opts.maxDurationSeconds);
    }
    const meta: AudioMeta = {
      duration: Number.isFinite(header.duration) ? header.duration : 0,
      declaredDuration: header.duration,
      container: format.container,
      codec: header.codec,
      originalSampleRate: header.originalSampleRate,
      channels: header.channels,
      decoder: kind,
      bytes: input.bytes,
    };
    return openStream(producer, meta, input, opts);
  } catch (e) {
    producer?.close();
    await input.cleanup();
    throw e;
  }
}

function tooLong(limit: number): EarshotError {
  return new EarshotError('AUDIO_TOO_LONG', `The audio is longer than the ${limit}-second limit`, {
    max_duration_seconds: limit,
  });
}

function openStream(producer: PcmProducer, meta: AudioMeta, input: LocalInput, opts: DecodeOptions): AudioStream {
  const estimated = meta.duration;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    producer.close();
    await input.cleanup();
  };
  async function* iterate(): AsyncGenerator<Float32Array> {
    let samples = 0;
    let lastReport = -1;
    try {
      for await (const chunk of producer.chunks) {
        samples += chunk.length;
        const seconds = samples / TARGET_SAMPLE_RATE;
        if (opts.maxDurationSeconds !== undefined && seconds > opts.maxDurationSeconds) {
          throw tooLong(opts.maxDurationSeconds);
        }
        if (opts.onProgress && estimated > 0) {
          const fraction = Math.min(0.99, seconds / estimated);
          if (fraction - lastReport >= 0.01) {
            lastReport = fraction;
            opts.onProgress(fraction);
          }
        }
        yield chunk;
      }
      if (samples === 0) throw new EarshotError('EMPTY_AUDIO', 'The file contains no audio samples');
      meta.duration = samples / TARGET_SAMPLE_RATE;
      const warnings = producer.warnings();
      if (warnings.length) meta.warnings = warnings;
      opts.onProgress?.(1);
    } finally {
      await close();
    }
  }
  const generator = iterate();
  return {
    meta,
    close,
    [Symbol.asyncIterator]: () => generator,
  };
}

export async function decodeToPcm16k(source: AudioSource, opts: DecodeOptions = {}): Promise<DecodedAudio> {
  const stream = await decodeStream(source, opts);
  // Preallocate from the container's duration estimate (plus a little), growing if it was short.
  let buffer = new Float32Array(Math.max(16000, Math.ceil((stream.meta.duration + 1) * TARGET_SAMPLE_RATE)));
  let length = 0;
  for await (const chunk of stream) {
    if (length + chunk.length > buffer.length) {
      const grown = new Float32Array(Math.max(Math.ceil(buffer.length * 1.5), length + chunk.length));
      grown.set(buffer.subarray(0, length));
      buffer = grown;
    }
    buffer.set(chunk, length);
    length += chunk.length;
  }
  // A trimming copy would briefly double a 2-hour decode's 460 MB; keep a view unless much capacity is unused.
  const samples =
    buffer.length - length <= Math.max(16000 * 10, length / 20) ? buffer.subarray(0, length) : buffer.slice(0, length);
  return { samples, sampleRate: TARGET_SAMPLE_RATE, meta: stream.meta };
}
