/**
 * MediaRecorder writes WebM as a live stream: the Segment's Info has no Duration, so players show no length and
 * cannot seek in it (Chromium's <audio> reports `duration = Infinity` and nothing seekable). Once a recording is
 * stopped its length is known, and this adds the Duration element to Info, rewriting the file atomically (a temporary
 * file renamed over it). Hand-written because it is a few EBML fields; the libraries that do it (ts-ebml,
 * fix-webm-duration) work on browser Blobs or parse the whole file into memory.
 */
import fs from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createReadStream, createWriteStream } from 'node:fs';

const EBML_HEADER = 0x1a45dfa3;
const SEGMENT = 0x18538067;
const INFO = 0x1549a966;
const TIMECODE_SCALE = 0x2ad7b1;
const DURATION = 0x4489;
const CLUSTER = 0x1f43b675;
/** Info and everything before it fit in the first bytes of a MediaRecorder file. */
const HEAD_BYTES = 64 * 1024;

interface Vint {
  value: number;
  length: number;
  /** All value bits set: "unknown size" (a live stream's Segment). */
  unknown: boolean;
}

function readVint(buf: Uint8Array, at: number, keepMarker: boolean): Vint | undefined {
  const first = buf[at];
  if (first === undefined || first === 0) return undefined;
  const length = Math.clz32(first) - 23; // leading zeros within the byte, plus one
  if (at + length > buf.length) return undefined;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    value = value * 256 + buf[at + i];
    if (buf[at + i] !== 0xff) allOnes = false;
  }
  return { value, length, unknown: !keepMarker && allOnes };
}

/** A size as an 8-byte EBML varint (always valid, whatever the value). */
function size8(value: number): Uint8Array {
  const out = new Uint8Array(8);
  out[0] = 0x01;
  let v = value;
  for (let i = 7; i >= 1; i--) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return out;
}

interface Element {
  id: number;
  /** Where the element's header starts, where its data starts, and its data size (undefined when unknown). */
  start: number;
  dataStart: number;
  size: number | undefined;
}

function readElement(buf: Uint8Array, at: number): Element | undefined {
  const id = readVint(buf, at, true);
  if (!id) return undefined;
  const size = readVint(buf, at + id.length, false);
  if (!size) return undefined;
  return {
    id: id.value,
    start: at,
    dataStart: at + id.length + size.length,
    size: size.unknown ? undefined : size.value,
  };
}

/**
 * Where Info is and what it holds, or undefined when the file is not a WebM whose head we understand (then it is
 * left alone: a missing duration is an inconvenience, a broken file a loss).
 */
function findInfo(
  head: Uint8Array,
): { info: Element; segment: Element; scale: number; hasDuration: boolean } | undefined {
  const ebml = readElement(head, 0);
  if (!ebml || ebml.id !== EBML_HEADER || ebml.size === undefined) return undefined;
  const segment = readElement(head, ebml.dataStart + ebml.size);
  if (!segment || segment.id !== SEGMENT) return undefined;
  let at = segment.dataStart;
  while (at < head.length) {
    const el = readElement(head, at);
    if (!el || el.size === undefined || el.id === CLUSTER) return undefined;
    if (el.id === INFO) {
      if (el.dataStart + el.size > head.length) return undefined;
      let scale = 1_000_000;
      let hasDuration = false;
      for (let c = el.dataStart; c < el.dataStart + el.size; ) {
        const child = readElement(head, c);
        if (!child || child.size === undefined) return undefined;
        if (child.id === DURATION) hasDuration = true;
        if (child.id === TIMECODE_SCALE) {
          scale = 0;
          for (let i = 0; i < child.size; i++) scale = scale * 256 + head[child.dataStart + i];
        }
        c = child.dataStart + child.size;
      }
      return { info: el, segment, scale: scale || 1_000_000, hasDuration };
    }
    at = el.dataStart + el.size;
  }
  return undefined;
}

/** Adds `seconds` as the recording's Duration. Returns false when the file was left as it was. */
export async function setWebmDuration(file: string, seconds: number): Promise<boolean> {
  if (!(seconds > 0)) return false;
  const handle = await fs.open(file, 'r');
  let head: Uint8Array;
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buf, 0, HEAD_BYTES, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const found = findInfo(head);
  if (!found || found.hasDuration) return false;
  const { info, segment, scale } = found;
  // Duration: ID 0x4489, size 8, a big-endian float64 in TimecodeScale units.
  const duration = new Uint8Array(11);
  duration.set([0x44, 0x89, 0x88]);
  new DataView(duration.buffer).setFloat64(3, (seconds * 1e9) / scale);
  const infoData = head.subarray(info.dataStart, info.dataStart + info.size!);
  const infoId = head.subarray(info.start, info.start + 4);
  const newInfo = Buffer.concat([infoId, size8(infoData.length + duration.length), infoData, duration]);
  const growth = newInfo.length - (info.dataStart + info.size! - info.start);
  const before = Buffer.from(head.subarray(0, info.start));
  if (segment.size !== undefined) {
    // A Segment of known size grows by what Info grew; rewrite its size at the same place, 8 bytes wide.
    const sizeAt = segment.start + 4;
    const sizeLength = segment.dataStart - sizeAt;
    if (sizeLength !== 8) return false;
    before.set(size8(segment.size + growth), sizeAt);
  }
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const out = createWriteStream(tmp);
    out.write(before);
    out.write(newInfo);
    await pipeline(createReadStream(file, { start: info.dataStart + info.size! }), out);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  return true;
}
