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

export function findMatches(segments: Segment[], query: string): Match[] {
  const q = query.toLowerCase();
  if (!q) return [];
  const out: Match[] = [];
  segments.forEach((s, segment) => {
    const text = s.text.toLowerCase();
    for (let i = text.indexOf(q); i >= 0; i = text.indexOf(q, i + q.length))
      out.push({ segment, index: i, length: q.length });
  });
  return out;
}

export function replaceAll(segments: Segment[], query: string, replacement: string): Segment[] {
  if (!query) return segments;
  const re = new RegExp(query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
  return segments.map((s) => (re.test(s.text) ? retext(s, s.text.replace(re, replacement)) : s));
}

export function replaceOne(segments: Segment[], m: Match, replacement: string): Segment[] {
  return segments.map((s, i) =>
    i === m.segment ? retext(s, s.text.slice(0, m.index) + replacement + s.text.slice(m.index + m.length)) : s,
  );
}

/** The word playing at time t, as [segment index, word index]. */
export function wordAt(segments: Segment[], t: number): [number, number] | undefined {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = segments[mid];
    if (t < s.start) hi = mid - 1;
    else if (t >= s.end) lo = mid + 1;
    else {
      const words = s.words ?? [];
      const w = words.findIndex((x) => t >= x.start && t < x.end);
      return [mid, w];
    }
  }
  return undefined;
}
