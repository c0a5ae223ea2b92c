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
  /** Joined to the previous piece without a space (a piece of a longer run of text, e.g. CJK, which has no spaces). */
  glued?: boolean;
}

/**
 * Text a caption file can hold: no control characters (a NUL ends ffmpeg's SRT reader; a line break would end the
 * cue), no lone surrogates; whitespace of any kind becomes a plain space.
 */
export function captionText(text: string): string {
  return text
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/[\t\n\v\f\r\u0085\u2028\u2029]/g, ' ')
    .replace(/\p{Cc}/gu, '');
}

const wordSegmenter = new Intl.Segmenter(undefined, { granularity: 'word' });
const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Breaks a run of text longer than a line into pieces that fit: at word boundaries where there are any (ICU finds
 * them in Chinese and Japanese too), else between characters. Without this a CJK sentence, which has no spaces, was
 * one "word" and ignored the line-length limit.
 */
function pieces(token: string, maxLineLength: number): string[] {
  if (token.length <= maxLineLength) return [token];
  const units: string[] = [];
  for (const { segment } of wordSegmenter.segment(token)) {
    if (segment.length <= maxLineLength) units.push(segment);
    else for (const g of graphemeSegmenter.segment(segment)) units.push(g.segment);
  }
  const out: string[] = [];
  let current = '';
  for (const u of units) {
    if (current && current.length + u.length > maxLineLength) {
      out.push(current);
      current = '';
    }
    current += u;
  }
  if (current) out.push(current);
  return out;
}

/** One word's time shared out over its pieces in proportion to characters. */
function split(word: TimedWord, maxLineLength: number): TimedWord[] {
  const parts = pieces(word.text, maxLineLength);
  if (parts.length === 1) return [word];
  const span = Math.max(0, word.end - word.start);
  let t = word.start;
  return parts.map((text, i) => {
    const d = (span * text.length) / word.text.length;
    const piece: TimedWord = { text, start: t, end: t + d, ...(i > 0 || word.glued ? { glued: i > 0 } : {}) };
    t += d;
    return piece;
  });
}

function timedWords(segment: Segment, maxLineLength: number): TimedWord[] {
  let words: TimedWord[];
  if (segment.words?.length) {
    words = segment.words
      .map((w) => ({ text: captionText(w.word).trim(), start: w.start, end: w.end }))
      .filter((w) => w.text);
  } else {
    const tokens = captionText(segment.text).trim().split(/ +/).filter(Boolean);
    const chars = tokens.reduce((n, t) => n + t.length + 1, 0) || 1;
    const span = Math.max(0, segment.end - segment.start);
    let t = segment.start;
    words = tokens.map((text) => {
      const d = (span * (text.length + 1)) / chars;
      const w = { text, start: t, end: t + d };
      t += d;
      return w;
    });
  }
  return words.flatMap((w) => split(w, maxLineLength));
}

/** Greedy line filling; glued pieces join without a space, and a line never ends up longer than the limit. */
function wrap(words: Pick<TimedWord, 'text' | 'glued'>[], maxLineLength: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    const sep = w.glued ? '' : ' ';
    if (line && line.length + sep.length + w.text.length > maxLineLength) {
      lines.push(line);
      line = w.text;
    } else {
      line = line ? `${line}${sep}${w.text}` : w.text;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * Times every caption reader accepts: never negative or NaN, each cue starting no earlier than the one before
 * (negative or out-of-order times made cues that players show out of order or drop), and lasting at least 1 ms.
 */
function orderTimes(cues: Cue[]): Cue[] {
  let previousStart = Number.NEGATIVE_INFINITY;
  for (const c of cues) {
    // Strictly later than the cue before: readers order cues with equal starts by their ends, not by the file.
    const earliest = Math.max(0, previousStart + 0.001);
    const start = Number.isFinite(c.start) ? Math.max(c.start, earliest) : earliest;
    const end = Number.isFinite(c.end) ? c.end : start;
    c.start = start;
    c.end = Math.max(end, start + 0.001);
    previousStart = start;
  }
  return cues;
}

export function buildCues(segments: Segment[], options: CaptionOptions = {}): Cue[] {
  const maxLineLength = options.maxLineLength ?? 42;
  const maxLines = options.maxLines ?? 2;
  const cues: Cue[] = [];
  for (const segment of segments) {
    const words = timedWords(segment, maxLineLength);
    let current: TimedWord[] = [];
    const flush = () => {
      if (!current.length) return;
      cues.push({
        start: current[0].start,
        end: Math.max(current[current.length - 1].end, current[0].start + 0.001),
        lines: wrap(current, maxLineLength),
        ...(segment.speaker ? { speaker: segment.speaker } : {}),
      });
      current = [];
    };
    for (const w of words) {
      const candidate = [...current, w];
      if (current.length && wrap(candidate, maxLineLength).length > maxLines) flush();
      current.push(w);
    }
    flush();
  }
  return orderTimes(cues);
}
