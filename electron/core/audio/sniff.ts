/**
 * Format detection from the first bytes of a file (never from its name). Only formats we decode and test are
 * recognised; anything else is refused up front as UNSUPPORTED_FORMAT instead of being handed to ffmpeg blindly.
 */
import { open } from 'node:fs/promises';

export interface SniffedFormat {
  container: string;
  mime: string;
}

/** Container names accepted as input (the media table's), re-exported for the audio module's callers. */
export { SUPPORTED_FORMATS } from '../media-types.ts';

const ascii = (b: Uint8Array, at: number, len: number) => String.fromCharCode(...b.subarray(at, at + len));
const has = (b: Uint8Array, at: number, text: string) =>
  b.length >= at + text.length && ascii(b, at, text.length) === text;

function indexOf(b: Uint8Array, text: string, limit = b.length): number {
  const first = text.charCodeAt(0);
  const end = Math.min(b.length, limit) - text.length;
  for (let i = 0; i <= end; i++) if (b[i] === first && has(b, i, text)) return i;
  return -1;
}

/** Size of an ID3v2 tag (header included) at the start, or 0. */
export function id3Length(b: Uint8Array): number {
  if (!has(b, 0, 'ID3') || b.length < 10) return 0;
  const size = ((b[6] & 0x7f) << 21) | ((b[7] & 0x7f) << 14) | ((b[8] & 0x7f) << 7) | (b[9] & 0x7f);
  const footer = b[5] & 0x10 ? 10 : 0;
  return 10 + size + footer;
}

/** MPEG audio frame header: 11 sync bits, valid version, layer I-III, valid bitrate and rate indexes. */
function isMpegAudioFrame(b: Uint8Array, at: number): boolean {
  if (b.length < at + 4 || b[at] !== 0xff || (b[at + 1] & 0xe0) !== 0xe0) return false;
  const version = (b[at + 1] >> 3) & 3;
  const layer = (b[at + 1] >> 1) & 3;
  const bitrate = b[at + 2] >> 4;
  const rate = (b[at + 2] >> 2) & 3;
  return version !== 1 && layer !== 0 && bitrate !== 0 && bitrate !== 15 && rate !== 3;
}

function isAdts(b: Uint8Array, at: number): boolean {
  return b.length >= at + 7 && b[at] === 0xff && (b[at + 1] & 0xf6) === 0xf0 && ((b[at + 2] >> 2) & 0xf) < 13;
}

function sniffIsoBmff(b: Uint8Array): SniffedFormat | null {
  if (!has(b, 4, 'ftyp')) {
    // Old QuickTime files may start straight with a top-level atom.
    if (['moov', 'mdat', 'wide', 'free', 'skip'].some((atom) => has(b, 4, atom))) {
      return { container: 'mov', mime: 'video/quicktime' };
    }
    return null;
  }
  const brand = ascii(b, 8, 4);
  if (brand === 'M4A ' || brand === 'M4B ' || brand === 'M4P ') return { container: 'm4a', mime: 'audio/mp4' };
  if (brand === 'qt  ') return { container: 'mov', mime: 'video/quicktime' };
  return { container: 'mp4', mime: 'video/mp4' };
}

function sniffOgg(b: Uint8Array): SniffedFormat {
  // The first page carries the codec's identification header.
  if (indexOf(b, 'OpusHead', 128) >= 0) return { container: 'opus', mime: 'audio/ogg; codecs=opus' };
  if (indexOf(b, 'vorbis', 128) >= 0) return { container: 'ogg', mime: 'audio/ogg; codecs=vorbis' };
  return { container: 'ogg', mime: 'audio/ogg' };
}

function sniffMatroska(b: Uint8Array): SniffedFormat {
  // The EBML header names the DocType within its first few dozen bytes.
  return indexOf(b, 'webm', 64) >= 0
    ? { container: 'webm', mime: 'video/webm' }
    : { container: 'mkv', mime: 'video/x-matroska' };
}

export function sniffFormat(bytes: Uint8Array): SniffedFormat | null {
  const b = bytes;
  if (b.length < 4) return null;
  if ((has(b, 0, 'RIFF') || has(b, 0, 'RF64') || has(b, 0, 'BW64')) && has(b, 8, 'WAVE')) {
    return { container: 'wav', mime: 'audio/wav' };
  }
  if (has(b, 0, 'FORM') && (has(b, 8, 'AIFF') || has(b, 8, 'AIFC'))) return { container: 'aiff', mime: 'audio/aiff' };
  if (has(b, 0, 'fLaC')) return { container: 'flac', mime: 'audio/flac' };
  if (has(b, 0, 'OggS')) return sniffOgg(b);
  if (b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return sniffMatroska(b);
  const iso = sniffIsoBmff(b);
  if (iso) return iso;
  const tag = id3Length(b);
  if (tag > 0) {
    // An ID3 tag usually means MP3, but FLAC and AAC files can carry one too: look past it when we can.
    if (tag + 4 > b.length) return { container: 'mp3', mime: 'audio/mpeg' };
    return sniffFormat(b.subarray(tag)) ?? { container: 'mp3', mime: 'audio/mpeg' };
  }
  if (isAdts(b, 0)) return { container: 'aac', mime: 'audio/aac' };
  if (isMpegAudioFrame(b, 0)) return { container: 'mp3', mime: 'audio/mpeg' };
  return null;
}

/** Reads just enough of a file to sniff it (skipping a large ID3 tag, e.g. one with cover art). */
export async function sniffFile(path: string): Promise<SniffedFormat | null> {
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(4096);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const bytes = head.subarray(0, bytesRead);
    const tag = id3Length(bytes);
    if (tag + 4 > bytesRead && tag > 0) {
      const after = new Uint8Array(64);
      const more = await handle.read(after, 0, after.length, tag);
      if (more.bytesRead >= 4) return sniffFormat(after.subarray(0, more.bytesRead)) ?? sniffFormat(bytes);
    }
    return sniffFormat(bytes);
  } finally {
    await handle.close();
  }
}
