/**
 * A transcript's text from its segments, and a transcript cut after the segments that end by a given time (what a job
 * stopped by the audio quota keeps). One place, so a resumed job and a cut one join texts the same way.
 */
import type { Segment, TranscriptResult } from './types.ts';

/** Segment texts carry their leading space (Whisper's convention); one is added where a text lacks it. */
export function joinSegmentText(segments: readonly Segment[]): string {
  return segments
    .map((s, i) => (i > 0 && !/^\s/.test(s.text) ? ` ${s.text}` : s.text))
    .join('')
    .trim();
}

/** The result with only the segments ending by `seconds` (its duration is kept: the media is still that long). */
export function keepSegmentsUntil(result: TranscriptResult, seconds: number): TranscriptResult {
  const segments = result.segments.filter((s) => s.end <= seconds + 1e-6);
  if (segments.length === result.segments.length) return result;
  return { ...result, segments, text: joinSegmentText(segments) };
}
