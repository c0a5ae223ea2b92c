/**
 * Did a decode get all of the file, or did the file end early? ffmpeg decodes a cut-off WAV, MP3, FLAC or Ogg file
 * without an error (it stops where the bytes stop), so a partial transcript would pass for a whole one. Two tests:
 * - the length the file declares against the length decoded, where the container states it (FLAC STREAMINFO, an
 *   MP3's Xing/Info frame count: ffmpeg's `Duration`);
 * - the container's own framing, where ffmpeg's figure follows the bytes instead: a WAV `data` chunk that claims more
 *   bytes than the file has, an Ogg file whose last page is cut short.
 * Returns a sentence saying what is missing, or undefined when the file looks whole (or cannot tell).
 */
import { open } from 'node:fs/promises';

/** Decoded audio may fall short of the declared length by encoder padding; beyond this it is missing. */
function shortfallMatters(declared: number, decoded: number): boolean {
  return declared - decoded > Math.max(0.5, declared * 0.02);
}

async function readAt(path: string, position: number, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** A RIFF/WAVE file whose `data` chunk declares more bytes than follow it. 0 and 0xFFFFFFFF mean "unknown" (streamed). */
async function wavShortfall(path: string, fileSize: number): Promise<string | undefined> {
  const head = await readAt(path, 0, Math.min(fileSize, 64 * 1024));
  if (head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WAVE') return undefined;
  for (let at = 12; at + 8 <= head.length; ) {
    const id = head.toString('latin1', at, at + 4);
    const size = head.readUInt32LE(at + 4);
    if (id === 'data') {
      if (size === 0 || size === 0xffffffff) return undefined;
      const available = fileSize - (at + 8);
      return available < size ? `its audio data is cut off (${available} of ${size} bytes)` : undefined;
    }
    at += 8 + size + (size % 2);
  }
  return undefined;
}

/** An Ogg file whose last page is incomplete (a cut at a random byte almost always lands inside a page). */
async function oggShortfall(path: string, fileSize: number): Promise<string | undefined> {
  const tailStart = Math.max(0, fileSize - 70_000); // a page is at most 65,307 bytes
  const tail = await readAt(path, tailStart, fileSize - tailStart);
  const last = tail.lastIndexOf('OggS');
  if (last < 0 || last + 27 > tail.length) return 'its last page is cut off';
  const segments = tail[last + 26];
  if (last + 27 + segments > tail.length) return 'its last page is cut off';
  let body = 0;
  for (let i = 0; i < segments; i++) body += tail[last + 27 + i];
  return last + 27 + segments + body > tail.length ? 'its last page is cut off' : undefined;
}

export interface TruncationCheck {
  path: string;
  bytes: number;
  container: string;
  /** What the container's header says (ffmpeg's `Duration`), NaN or 0 when unknown. */
  declaredSeconds: number;
  decodedSeconds: number;
}

export async function findTruncation(check: TruncationCheck): Promise<string | undefined> {
  const { container, declaredSeconds, decodedSeconds } = check;
  if (container === 'wav') return wavShortfall(check.path, check.bytes);
  if (container === 'ogg' || container === 'opus') return oggShortfall(check.path, check.bytes);
  if (Number.isFinite(declaredSeconds) && declaredSeconds > 0 && shortfallMatters(declaredSeconds, decodedSeconds)) {
    return `it declares ${declaredSeconds.toFixed(1)} s of audio but only ${decodedSeconds.toFixed(1)} s could be decoded`;
  }
  return undefined;
}
