/**
 * Speech regions for the batched mode and the silence filter: the caller's (TranscribeOptions.speechRegions), else
 * the audio module's Silero VAD. Padding is wider than the VAD's default because Whisper needs the onsets and
 * tails of words that a tight region clips.
 */
import { detectSpeech, type SpeechRegion } from '../../audio/vad.ts';
import { cutRegions, packRegionGroups } from '../region-packing.ts';
import type { VadSettings } from '../speech-blocks.ts';

export type Region = SpeechRegion;

/** Whisper's voice activity detection (the family's default; CTC pads wider). */
export const WHISPER_VAD: VadSettings = { speechPadMs: 200, minSilenceMs: 300 };

export async function speechRegionsOf(samples: Float32Array, signal?: AbortSignal): Promise<Region[]> {
  return detectSpeech(samples, { ...WHISPER_VAD, signal });
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
  const pieces = cutRegions(regions, maxSeconds).filter((p) => p.end > p.start);
  return packRegionGroups(pieces, maxSeconds, 'speech').map((group) => ({
    start: group[0].start,
    end: group[group.length - 1].end,
    pieces: group,
    duration: group.reduce((sum, p) => sum + (p.end - p.start), 0),
  }));
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
