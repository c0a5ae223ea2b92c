/**
 * Speech regions for the batched mode and the silence filter: the caller's (TranscribeOptions.speechRegions), else
 * the audio module's Silero VAD. Padding is wider than the VAD's default because Whisper needs the onsets and
 * tails of words that a tight region clips.
 */
import { detectSpeech, packRegions, type SpeechRegion } from '../../audio/vad.ts';

export type Region = SpeechRegion;

export async function speechRegionsOf(samples: Float32Array, signal?: AbortSignal): Promise<Region[]> {
  return detectSpeech(samples, { speechPadMs: 200, minSilenceMs: 300, signal });
}

/**
 * Speech regions packed into windows holding at most `maxSeconds` of speech, the silence between them left out
 * (faster-whisper's batched mode): fewer windows than spans of the original timeline, and nothing to hallucinate
 * on. A region longer than a window is cut.
 */
export interface PackedWindow {
  /** Original-time start of the first piece and end of the last. */
  start: number;
  end: number;
  pieces: Region[];
  /** Seconds of audio in the window (the pieces back to back). */
  duration: number;
}

export function packSpeech(regions: Region[], maxSeconds = 30): PackedWindow[] {
  const pieces = packRegions(regions, maxSeconds).flatMap((w) => w.regions);
  const windows: PackedWindow[] = [];
  for (const piece of pieces) {
    const length = piece.end - piece.start;
    if (length <= 0) continue;
    const current = windows[windows.length - 1];
    if (current && current.duration + length <= maxSeconds) {
      current.pieces.push(piece);
      current.end = piece.end;
      current.duration += length;
    } else {
      windows.push({ start: piece.start, end: piece.end, pieces: [piece], duration: length });
    }
  }
  return windows;
}

/** Maps a time inside a packed window (seconds from its start) back to the original timeline. */
export function originalTime(window: PackedWindow, t: number): number {
  let acc = 0;
  for (const p of window.pieces) {
    const length = p.end - p.start;
    if (t <= acc + length) return p.start + Math.max(0, t - acc);
    acc += length;
  }
  return window.end;
}

/** Fraction of [start, end] covered by speech. */
export function speechCoverage(regions: Region[], start: number, end: number): number {
  if (end <= start) return 0;
  let covered = 0;
  for (const r of regions) covered += Math.max(0, Math.min(end, r.end) - Math.max(start, r.start));
  return covered / (end - start);
}
