/**
 * Continuing an interrupted job from its checkpoint: the audio after the last saved segment is transcribed, its
 * segments are moved onto the whole recording's timeline, and the saved ones are put in front.
 */
import { joinSegmentText } from '../asr/result-text.ts';
import type { Segment, TranscriptResult } from '../asr/types.ts';
import type { JobCheckpoint } from './types.ts';

/** Media whose decoded length differs by more than this is not the media the checkpoint was made from. */
const SAME_MEDIA_TOLERANCE_SECONDS = 0.5;

/**
 * Where to continue (seconds), or undefined to start over: the checkpoint must come from the same model and media,
 * and leave audio to do.
 */
export function resumePoint(
  checkpoint: JobCheckpoint | undefined,
  model: string,
  duration: number,
): number | undefined {
  const last = checkpoint?.segments.at(-1);
  if (!checkpoint || !last || checkpoint.model !== model) return undefined;
  if (Math.abs(checkpoint.duration - duration) > SAME_MEDIA_TOLERANCE_SECONDS) return undefined;
  if (!(last.end > 0 && last.end < duration)) return undefined;
  return last.end;
}

/** A segment of the continued run, on the whole recording's timeline and numbered after the saved ones. */
export function shiftSegment(segment: Segment, offsetSeconds: number, firstId: number): Segment {
  return {
    ...segment,
    id: firstId + segment.id,
    start: segment.start + offsetSeconds,
    end: segment.end + offsetSeconds,
    words: segment.words?.map((w) => ({ ...w, start: w.start + offsetSeconds, end: w.end + offsetSeconds })),
  };
}

/** The saved segments and the continued run as one result for the whole recording. */
export function joinResumed(
  saved: Segment[],
  rest: TranscriptResult,
  offsetSeconds: number,
  duration: number,
): TranscriptResult {
  const segments = [...saved, ...rest.segments.map((s) => shiftSegment(s, offsetSeconds, saved.length))];
  return { ...rest, segments, text: joinSegmentText(segments), duration };
}
