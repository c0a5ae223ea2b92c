/**
 * One decoded window → segments. With timestamps, the text between consecutive timestamp pairs becomes a segment
 * and the next window starts at the last complete segment (Whisper's seek rule); without, the window is one segment.
 */
import type { SpecialTokens } from './config.ts';
import type { WindowDecoding } from './search.ts';

export const FRAMES_PER_SECOND = 100;
export const SECONDS_PER_TIMESTAMP = 0.02;

export interface TokenSpan {
  start: number;
  end: number;
  /** Indexes into the window's generated tokens (text tokens only). */
  from: number;
  to: number;
}

export interface WindowSplit {
  spans: TokenSpan[];
  /** Mel frames to advance the seek by. */
  advance: number;
}

/**
 * `offset` and `duration` are the window's start and the audio it holds, in seconds; `frames` its length in mel
 * frames (≤ 3000).
 */
export function splitWindow(
  dec: WindowDecoding,
  tokens: SpecialTokens,
  offset: number,
  duration: number,
  frames: number,
  timestamps: boolean,
): WindowSplit {
  const tb = tokens.timestampBegin;
  const seq = dec.tokens;
  if (!timestamps)
    return { spans: [{ start: offset, end: offset + duration, from: 0, to: seq.length }], advance: frames };
  const isTs = seq.map((t) => t >= tb);
  const singleEnding = seq.length >= 2 && isTs[seq.length - 1] && !isTs[seq.length - 2];
  const boundaries: number[] = [];
  for (let i = 1; i < seq.length; i++) if (isTs[i] && isTs[i - 1]) boundaries.push(i);
  const time = (t: number) => offset + (t - tb) * SECONDS_PER_TIMESTAMP;
  const spans: TokenSpan[] = [];
  if (boundaries.length > 0) {
    const cuts = singleEnding ? [...boundaries, seq.length] : boundaries;
    let last = 0;
    for (const cut of cuts) {
      const slice = seq.slice(last, cut);
      const first = slice[0];
      const end = slice[slice.length - 1];
      if (first >= tb && end >= tb) spans.push({ start: time(first), end: time(end), from: last + 1, to: cut - 1 });
      last = cut;
    }
    const advance = singleEnding ? frames : (seq[boundaries[boundaries.length - 1] - 1] - tb) * 2;
    return { spans, advance: advance > 0 ? advance : frames };
  }
  // No pair: one segment over the window, ending at the last timestamp when there is one.
  let end = duration;
  const stamps = seq.filter((t) => t >= tb);
  if (stamps.length > 0 && stamps[stamps.length - 1] !== tb)
    end = (stamps[stamps.length - 1] - tb) * SECONDS_PER_TIMESTAMP;
  const from = isTs[0] ? 1 : 0;
  const to = seq.length > 0 && isTs[seq.length - 1] ? seq.length - 1 : seq.length;
  spans.push({ start: offset, end: offset + end, from, to: Math.max(from, to) });
  return { spans, advance: frames };
}
