/**
 * Which stretches of a recording go through the network, one at a time. The network is bidirectional, so each
 * window is transcribed whole; long recordings are cut at the pauses that voice activity detection finds, and a
 * stretch of speech longer than a window is cut into overlapping windows whose words are kept only inside the
 * window's own part (the middle of each overlap is the border), so no word is lost or doubled at a cut.
 */
import type { SpeechRegion } from '../../audio/index.ts';
import { packRegionGroups } from '../region-packing.ts';

export interface CtcWindow {
  /** Seconds: the audio given to the network. */
  start: number;
  end: number;
  /**
   * Seconds: words whose middle falls in [ownStart, ownEnd) belong to this window; ±Infinity on a side with no
   * overlapping neighbour (a word there is this window's whatever its frame times say).
   */
  ownStart: number;
  ownEnd: number;
}

/** Overlapping windows of at most `maxSeconds` covering [start, end]. */
export function fixedWindows(start: number, end: number, maxSeconds: number, overlapSeconds = 2): CtcWindow[] {
  if (end - start <= maxSeconds) return [{ start, end, ownStart: -Infinity, ownEnd: Infinity }];
  const step = maxSeconds - overlapSeconds;
  const windows: CtcWindow[] = [];
  for (let s = start; ; s += step) {
    const e = Math.min(end, s + maxSeconds);
    const ownStart = windows.length === 0 ? -Infinity : s + overlapSeconds / 2;
    const last = e >= end;
    windows.push({ start: s, end: e, ownStart, ownEnd: last ? Infinity : s + step + overlapSeconds / 2 });
    if (last) break;
  }
  return windows;
}

/**
 * Windows from speech regions: neighbouring regions share a window while it stays under `maxSeconds`; a longer
 * region gets overlapping fixed windows. Silence between windows is never transcribed.
 */
export function windowsFromRegions(regions: SpeechRegion[], maxSeconds: number): CtcWindow[] {
  return packRegionGroups(regions, maxSeconds, 'timeline').flatMap((group) => {
    const first = group[0];
    const last = group[group.length - 1];
    if (group.length === 1 && first.end - first.start > maxSeconds)
      return fixedWindows(first.start, first.end, maxSeconds);
    return [{ start: first.start, end: last.end, ownStart: -Infinity, ownEnd: Infinity }];
  });
}
