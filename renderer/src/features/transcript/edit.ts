/**
 * Editing helpers. Word timings survive an edit: when the edited text has as many words as before, each word keeps
 * its slot (changed words get confidence 1 — the user vouched for them); otherwise the segment's span is shared out
 * in proportion to word length, so click-to-seek and subtitles stay close.
 */
import type { Segment, Word } from '../../../../electron/contract/api.ts';

export function retext(seg: Segment, text: string): Segment {
  const clean = text.replace(/\s+/g, ' ').trim();
  const tokens = clean ? clean.split(' ') : [];
  const old = seg.words ?? [];
  let words: Word[];
  if (old.length === tokens.length) {
    words = tokens.map((t, i) => (old[i].word.trim() === t ? old[i] : { ...old[i], word: t, confidence: 1 }));
  } else {
    const total = tokens.reduce((n, t) => n + t.length, 0) || 1;
    const span = seg.end - seg.start;
    let at = seg.start;
    words = tokens.map((t) => {
      const start = at;
      at += (span * t.length) / total;
      // New words belong to the segment's speaker, like the words they replace.
      return { word: t, start, end: at, confidence: 1, ...(seg.speaker ? { speaker: seg.speaker } : {}) };
    });
  }
  return { ...seg, text: clean, words };
}

export interface Match {
  segment: number;
  index: number;
  length: number;
}

export interface FindOptions {
  /** Only whole words match ("in" does not match inside "Printing"). */
  wholeWord?: boolean;
  matchCase?: boolean;
}

/** The search as a regular expression: the query is literal text; word edges are Unicode letters and digits. */
export function findPattern(query: string, options: FindOptions = {}): RegExp | undefined {
  if (!query) return undefined;
  const literal = query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const source = options.wholeWord ? `(?<![\\p{L}\\p{N}_])${literal}(?![\\p{L}\\p{N}_])` : literal;
  return new RegExp(source, options.matchCase ? 'gu' : 'giu');
}

export function findMatches(segments: Segment[], query: string, options: FindOptions = {}): Match[] {
  const re = findPattern(query, options);
  if (!re) return [];
  const out: Match[] = [];
  segments.forEach((s, segment) => {
    for (const m of s.text.matchAll(re)) out.push({ segment, index: m.index, length: m[0].length });
  });
  return out;
}

export function replaceAll(
  segments: Segment[],
  query: string,
  replacement: string,
  options: FindOptions = {},
): Segment[] {
  const re = findPattern(query, options);
  if (!re) return segments;
  // A function replacement: '$&' and friends in what the user typed are plain text.
  return segments.map((s) => {
    const next = s.text.replace(re, () => replacement);
    return next === s.text ? s : retext(s, next);
  });
}

export function replaceOne(segments: Segment[], m: Match, replacement: string): Segment[] {
  return segments.map((s, i) =>
    i === m.segment ? retext(s, s.text.slice(0, m.index) + replacement + s.text.slice(m.index + m.length)) : s,
  );
}

/**
 * The word playing at time t, as [segment index, word index]. In the pauses between words (and between segments)
 * the word just spoken stays lit until the next one starts, so the highlight does not flicker off between words.
 */
export function wordAt(segments: Segment[], t: number): [number, number] | undefined {
  // The last segment that started at or before t.
  let lo = 0;
  let hi = segments.length - 1;
  let at = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (segments[mid].start <= t) {
      at = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (at < 0) return undefined;
  const words = segments[at].words ?? [];
  let w = -1;
  for (let i = 0; i < words.length && words[i].start <= t; i++) w = i;
  return [at, w];
}
