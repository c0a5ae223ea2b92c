/**
 * Packing speech regions into the windows a network takes, shared by every model family: consecutive regions share a
 * window, in order, while the window stays within `maxSeconds`. What counts towards the limit is the family's:
 * - 'timeline': the window's span, silence between regions included (CTC gives the network the audio as it is);
 * - 'speech': the regions' own lengths, the silence between them left out (Whisper's batched mode puts the pieces
 *   back to back, as faster-whisper does).
 * A region longer than `maxSeconds` is a window of its own; the family cuts it (CTC: overlapping windows; Whisper:
 * cutRegions first).
 */
import type { SpeechRegion } from '../audio/index.ts';

export type PackMeasure = 'timeline' | 'speech';

export function packRegionGroups<R extends SpeechRegion>(
  regions: readonly R[],
  maxSeconds: number,
  measure: PackMeasure,
): R[][] {
  const groups: R[][] = [];
  let open: R[] | null = null;
  let speech = 0;
  for (const r of regions) {
    const length = r.end - r.start;
    if (length > maxSeconds) {
      if (open) groups.push(open);
      groups.push([r]);
      open = null;
      continue;
    }
    const fits =
      open !== null && (measure === 'timeline' ? r.end - open[0].start <= maxSeconds : speech + length <= maxSeconds);
    if (open && fits) {
      open.push(r);
      speech += length;
    } else {
      if (open) groups.push(open);
      open = [r];
      speech = length;
    }
  }
  if (open) groups.push(open);
  return groups;
}

/** Regions cut into pieces of at most `maxSeconds` (consecutive, in order). */
export function cutRegions(regions: readonly SpeechRegion[], maxSeconds: number): SpeechRegion[] {
  const pieces: SpeechRegion[] = [];
  for (const r of regions) {
    for (let s = r.start; s < r.end; s += maxSeconds) pieces.push({ start: s, end: Math.min(r.end, s + maxSeconds) });
  }
  return pieces;
}
