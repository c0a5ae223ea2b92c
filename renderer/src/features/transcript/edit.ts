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

/** Character offset of each word in `text` (words as retext would split them), for cutting at a caret. */
function wordOffsets(text: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(/\S+/g)) out.push(m.index);
  return out;
}

/**
 * Splits segment `index` at character `at` of its text: the words before the caret stay, the rest become a new
 * segment that starts at its first word. Word timings are kept; without words the span is shared by text length.
 */
export function splitSegment(segments: Segment[], index: number, at: number, usedIds: Segment[] = []): Segment[] {
  const seg = segments[index];
  const text = seg.text.replace(/\s+/g, ' ').trim();
  const cut = Math.max(0, Math.min(text.length, at));
  const left = text.slice(0, cut).trim();
  const right = text.slice(cut).trim();
  if (!left || !right) return segments;
  const words = seg.words ?? [];
  const offsets = wordOffsets(text);
  const sameWords = words.length === offsets.length;
  const nLeft = offsets.filter((o) => o < cut).length;
  const boundary =
    sameWords && words[nLeft]
      ? words[nLeft].start
      : seg.start + ((seg.end - seg.start) * left.length) / Math.max(1, left.length + right.length);
  // A fresh id, also unused by the recognised segments (so "revert" never picks another segment's original).
  const nextId = [...segments, ...usedIds].reduce((m, s) => Math.max(m, s.id), 0) + 1;
  const a: Segment = { ...seg, text: left, end: boundary, words: sameWords ? words.slice(0, nLeft) : [] };
  const b: Segment = { ...seg, id: nextId, text: right, start: boundary, words: sameWords ? words.slice(nLeft) : [] };
  // Without usable word times, share each half's span out by word length (as an edit does).
  const fix = (s: Segment) => (s.words?.length ? s : retext({ ...s, words: [] }, s.text));
  return [...segments.slice(0, index), fix(a), fix(b), ...segments.slice(index + 1)];
}

/** Joins segment `index` with the next one: text and words in order, the first one's speaker. */
export function mergeWithNext(segments: Segment[], index: number): Segment[] {
  const a = segments[index];
  const b = segments[index + 1];
  if (!a || !b) return segments;
  const merged: Segment = {
    ...a,
    text: `${a.text.trim()} ${b.text.trim()}`.trim(),
    end: Math.max(a.end, b.end),
    words: [...(a.words ?? []), ...(b.words ?? [])],
  };
  return [...segments.slice(0, index), merged, ...segments.slice(index + 2)];
}

export function deleteSegment(segments: Segment[], index: number): Segment[] {
  return segments.filter((_, i) => i !== index);
}

/** Segment `index` back to what the model recognised (the original with the same id), when there is one. */
export function revertSegment(segments: Segment[], index: number, originals: Segment[] | undefined): Segment[] {
  const original = originals?.find((o) => o.id === segments[index]?.id);
  if (!original) return segments;
  return segments.map((s, i) => (i === index ? structuredClone(original) : s));
}

/** Every low-confidence word, in reading order, as [segment index, word index]. */
export function lowConfidenceWords(segments: Segment[], threshold: number): [number, number][] {
  const out: [number, number][] = [];
  segments.forEach((s, i) => {
    (s.words ?? []).forEach((w, k) => {
      if (w.confidence < threshold) out.push([i, k]);
    });
  });
  return out;
}
