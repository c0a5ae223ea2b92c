/**
 * Caption cues for SRT and VTT with readable line lengths: at most `maxLineLength` characters per line and
 * `maxLines` lines per cue (the common broadcast guidance is 42 × 2). Long segments are split into several cues;
 * cue times come from word timings when the model gave them, otherwise from the segment's time shared out in
 * proportion to characters.
 */
import type { Segment } from '../asr/types.ts';

export interface CaptionOptions {
  maxLineLength?: number;
  maxLines?: number;
}

export interface Cue {
  start: number;
  end: number;
  lines: string[];
  /** The segment's speaker, when diarized. */
  speaker?: string;
}

interface TimedWord {
  text: string;
  start: number;
  end: number;
}

function timedWords(segment: Segment): TimedWord[] {
  if (segment.words?.length) {
    return segment.words.map((w) => ({ text: w.word.trim(), start: w.start, end: w.end })).filter((w) => w.text);
  }
  const tokens = segment.text.trim().split(/\s+/).filter(Boolean);
  const chars = tokens.reduce((n, t) => n + t.length + 1, 0) || 1;
  const span = Math.max(0, segment.end - segment.start);
  let t = segment.start;
  return tokens.map((text) => {
    const d = (span * (text.length + 1)) / chars;
    const w = { text, start: t, end: t + d };
    t += d;
    return w;
  });
}

/** Greedy line filling; a single word longer than a line gets a line of its own rather than being cut. */
function wrap(words: string[], maxLineLength: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + 1 + w.length > maxLineLength) {
      lines.push(line);
      line = w;
    } else {
      line = line ? `${line} ${w}` : w;
    }
  }
  if (line) lines.push(line);
  return lines;
}

export function buildCues(segments: Segment[], options: CaptionOptions = {}): Cue[] {
  const maxLineLength = options.maxLineLength ?? 42;
  const maxLines = options.maxLines ?? 2;
  const cues: Cue[] = [];
  for (const segment of segments) {
    const words = timedWords(segment);
    let current: TimedWord[] = [];
    const flush = () => {
      if (!current.length) return;
      cues.push({
        start: current[0].start,
        end: Math.max(current[current.length - 1].end, current[0].start + 0.001),
        lines: wrap(
          current.map((w) => w.text),
          maxLineLength,
        ),
        ...(segment.speaker ? { speaker: segment.speaker } : {}),
      });
      current = [];
    };
    for (const w of words) {
      const candidate = [...current, w];
      if (
        current.length &&
        wrap(
          candidate.map((x) => x.text),
          maxLineLength,
        ).length > maxLines
      )
        flush();
      current.push(w);
    }
    flush();
  }
  return cues;
}
