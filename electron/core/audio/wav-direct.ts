/**
 * The in-process path for the commonest upload: a plain 16 kHz PCM WAV (16-bit integer or 32-bit float, mono or
 * stereo). Starting ffmpeg for such a file cost about a third of a 10 s job's CPU (bench:cluster); reading the
 * samples ourselves costs almost nothing. Only files whose every detail is certain take this path; anything unusual
 * (another rate, depth or codec, a cut-off or streamed `data` size, an odd channel mask, RF64) returns null here and
 * goes to ffmpeg as before, so errors and truncation behave exactly as they always did.
 *
 * The output equals ffmpeg's (`-ac 1 -ar 16000 -f f32le`, ffmpeg 5.1): integers are scaled by 1/32768 and a stereo
 * pair is mixed as ffmpeg's swresample does for stereo → mono without normalisation, L·√½ + R·√½ in float32.
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { EarshotError } from '../errors.ts';
import type { StreamHeader } from './ffmpeg-log.ts';
import { PcmQueue } from './pcm-queue.ts';
import { HIGH_WATER_SAMPLES, type PcmProducer, type ProducerInput } from './producer.ts';
import { TARGET_SAMPLE_RATE } from './types.ts';

export interface PlainWav {
  codec: 'pcm_s16le' | 'pcm_f32le';
  channels: 1 | 2;
  /** Byte offset of the first sample and the length of the `data` chunk (whole sample frames, all in the file). */
  dataOffset: number;
  dataBytes: number;
}

/** How much of the file is read to find `fmt ` and `data`; a file whose `data` starts later goes to ffmpeg. */
const HEAD_BYTES = 64 * 1024;
/** ffmpeg probes the start of 16-bit stereo data for S/PDIF-wrapped AC-3/DTS; such files go to ffmpeg. */
const SPDIF_PROBE_BYTES = 64 * 1024;

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** KSDATAFORMAT_SUBTYPE_* GUIDs after their first two bytes (which repeat the plain format tag). */
const SUBFORMAT_TAIL = Buffer.from([0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71]);
/** The only channel masks taken: front centre for mono, front left + right for stereo (ffmpeg's own defaults). */
const MASK_FOR_CHANNELS: Record<number, number> = { 1: 0x4, 2: 0x3 };

interface Format {
  codec: PlainWav['codec'];
  channels: 1 | 2;
}

/** The `fmt ` chunk's body, when it describes a shape we decode exactly; null otherwise. */
function plainFormat(fmt: Buffer): Format | null {
  if (fmt.length < 16) return null;
  let tag = fmt.readUInt16LE(0);
  const channels = fmt.readUInt16LE(2);
  const rate = fmt.readUInt32LE(4);
  const byteRate = fmt.readUInt32LE(8);
  const blockAlign = fmt.readUInt16LE(12);
  const bits = fmt.readUInt16LE(14);
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    if (fmt.length < 40 || fmt.readUInt16LE(16) < 22) return null;
    const validBits = fmt.readUInt16LE(18);
    const mask = fmt.readUInt32LE(20);
    if (validBits !== bits || mask !== MASK_FOR_CHANNELS[channels]) return null;
    if (!fmt.subarray(26, 40).equals(SUBFORMAT_TAIL)) return null;
    tag = fmt.readUInt16LE(24);
  }
  if (channels !== 1 && channels !== 2) return null;
  if (rate !== TARGET_SAMPLE_RATE) return null;
  let codec: PlainWav['codec'];
  if (tag === WAVE_FORMAT_PCM && bits === 16) codec = 'pcm_s16le';
  else if (tag === WAVE_FORMAT_IEEE_FLOAT && bits === 32) codec = 'pcm_f32le';
  else return null;
  if (blockAlign !== channels * (bits / 8) || byteRate !== blockAlign * rate) return null;
  return { codec, channels };
}

/** Does `bytes` contain the S/PDIF burst preamble (Pa = 0xF872, Pb = 0x4E1F, little-endian)? */
function hasSpdifSync(bytes: Buffer): boolean {
  return bytes.indexOf(Buffer.from([0x72, 0xf8, 0x1f, 0x4e])) >= 0;
}

/**
 * Reads a RIFF/WAVE header from the file's first bytes. Returns the plain shape, or null when anything about the
 * file is not certainly simple (the caller then uses ffmpeg).
 */
export function parsePlainWav(head: Buffer, fileSize: number): PlainWav | null {
  if (head.length < 12 || head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WAVE') {
    return null;
  }
  let format: Format | null = null;
  let sawFmt = false;
  for (let at = 12; at + 8 <= head.length; ) {
    const id = head.toString('latin1', at, at + 4);
    const size = head.readUInt32LE(at + 4);
    if (size === 0xffffffff) return null;
    if (id === 'fmt ') {
      if (sawFmt || at + 8 + size > head.length) return null;
      sawFmt = true;
      format = plainFormat(head.subarray(at + 8, at + 8 + size));
      if (!format) return null;
    } else if (id === 'data') {
      if (!format || size === 0) return null;
      const dataOffset = at + 8;
      const blockAlign = format.channels * (format.codec === 'pcm_s16le' ? 2 : 4);
      // A cut-off or oddly sized `data` chunk keeps ffmpeg's behaviour (and the truncation check that follows it).
      if (size % blockAlign !== 0 || dataOffset + size > fileSize) return null;
      if (format.codec === 'pcm_s16le' && format.channels === 2) {
        const probeEnd = Math.min(dataOffset + size, dataOffset + SPDIF_PROBE_BYTES);
        // The probe must lie inside what was read; the caller reads enough for this.
        if (probeEnd > head.length || hasSpdifSync(head.subarray(dataOffset, probeEnd))) return null;
      }
      return { ...format, dataOffset, dataBytes: size };
    }
    at += 8 + size + (size % 2);
  }
  return null;
}

/** The plain WAV shape of a file, or null (see `parsePlainWav`). */
export async function probePlainWav(path: string, fileSize: number): Promise<PlainWav | null> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(fileSize, HEAD_BYTES + SPDIF_PROBE_BYTES));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return parsePlainWav(head.subarray(0, bytesRead), fileSize);
  } finally {
    await handle.close();
  }
}

/** Seconds as ffmpeg prints (and our log reader parses) a `Duration:` line: rounded to hundredths. */
export function ffmpegDuration(frames: number): number {
  const micros = Math.round((frames * 1e6) / TARGET_SAMPLE_RATE) + 5000;
  const whole = Math.floor(micros / 1e6);
  const hundredths = Math.floor((micros % 1e6) / 1e4);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const seconds = whole % 60;
  return hours * 3600 + minutes * 60 + Number(`${seconds}.${String(hundredths).padStart(2, '0')}`);
}

const SQRT1_2 = Math.fround(Math.SQRT1_2);

/** Sample frames (whole ones, from an aligned copy) → 16 kHz mono float32, rounded as ffmpeg rounds. */
function toMono(bytes: Uint8Array, wav: PlainWav): Float32Array {
  const aligned = new Uint8Array(bytes.length);
  aligned.set(bytes);
  const source = wav.codec === 'pcm_s16le' ? new Int16Array(aligned.buffer) : new Float32Array(aligned.buffer);
  const scale = wav.codec === 'pcm_s16le' ? 1 / 32768 : 1;
  if (wav.channels === 1) {
    if (scale === 1) return source as Float32Array;
    const out = new Float32Array(source.length);
    for (let i = 0; i < out.length; i++) out[i] = source[i] * scale;
    return out;
  }
  const out = new Float32Array(source.length >> 1);
  const f = Math.fround;
  for (let i = 0; i < out.length; i++) {
    const left = f(source[2 * i] * scale);
    const right = f(source[2 * i + 1] * scale);
    out[i] = f(left * SQRT1_2) + f(right * SQRT1_2);
  }
  return out;
}

/** Streams the `data` chunk through the same bounded queue as the ffmpeg decoders, honouring `input.signal`. */
export function startWavDecoder(wav: PlainWav, input: ProducerInput): PcmProducer {
  const frames = wav.dataBytes / (wav.channels * (wav.codec === 'pcm_s16le' ? 2 : 4));
  const header: StreamHeader = {
    codec: wav.codec,
    originalSampleRate: TARGET_SAMPLE_RATE,
    channels: wav.channels,
    duration: ffmpegDuration(frames),
  };
  const blockAlign = wav.channels * (wav.codec === 'pcm_s16le' ? 2 : 4);
  const stream: ReadStream = createReadStream(input.path, {
    start: wav.dataOffset,
    end: wav.dataOffset + wav.dataBytes - 1,
    highWaterMark: 64 * 1024,
  });
  const queue = new PcmQueue(HIGH_WATER_SAMPLES, () => stream.resume());
  let carry: Buffer = Buffer.alloc(0);
  stream.on('data', (data: Buffer | string) => {
    const bytes = carry.length ? Buffer.concat([carry, data as Buffer]) : (data as Buffer);
    const usable = bytes.length - (bytes.length % blockAlign);
    carry = Buffer.from(bytes.subarray(usable));
    if (usable > 0 && !queue.push(toMono(bytes.subarray(0, usable), wav))) stream.pause();
  });
  // A file that shrank while being read ends where its bytes end, as ffmpeg would.
  stream.on('end', () => finish());
  stream.on('error', (e: NodeJS.ErrnoException) =>
    finish(new EarshotError('INTERNAL_ERROR', `Could not read the audio file (${e.code ?? e.message})`)),
  );

  let finished = false;
  function finish(error?: EarshotError): void {
    if (finished) return;
    finished = true;
    input.signal?.removeEventListener('abort', close);
    stream.destroy();
    queue.end(error);
  }
  function close(): void {
    finish(new EarshotError('CANCELLED', 'Cancelled by the user'));
  }
  input.signal?.addEventListener('abort', close, { once: true });

  return { header: Promise.resolve(header), chunks: queue, warnings: () => [], close };
}
