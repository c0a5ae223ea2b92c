/**
 * Full-text search across every transcript: case- and accent-insensitive substring match on each segment (and the
 * title), returning a short snippet around the first match. Linear in the library size, which stays fast for the
 * thousands of hours a person records; an index can replace it behind the same function.
 */
import type { Segment } from '../asr/types.ts';

export interface SearchHit {
  transcriptId: string;
  title: string;
  segmentId: number;
  start: number;
  snippet: string;
  /** Who said it, when the transcript was diarized. */
  speaker?: string;
}

interface Searchable {
  id: string;
  title: string;
  segments: Segment[];
}

export function normalizeForSearch(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

export function searchTranscripts(items: Searchable[], query: string, limit: number): SearchHit[] {
  const q = normalizeForSearch(query.trim());
  if (!q) return [];
  const hits: SearchHit[] = [];
  for (const t of items) {
    const titleMatch = normalizeForSearch(t.title).includes(q);
    let matchedSegment = false;
    for (const seg of t.segments) {
      const at = normalizeForSearch(seg.text).indexOf(q);
      if (at < 0) continue;
      matchedSegment = true;
      hits.push({
        transcriptId: t.id,
        title: t.title,
        segmentId: seg.id,
        start: seg.start,
        snippet: snippet(seg.text, at, q.length),
        ...(seg.speaker ? { speaker: seg.speaker } : {}),
      });
      if (hits.length >= limit) return hits;
    }
    if (titleMatch && !matchedSegment) {
      const first = t.segments[0];
      hits.push({
        transcriptId: t.id,
        title: t.title,
        segmentId: first?.id ?? 0,
        start: first?.start ?? 0,
        snippet: first?.text.trim().slice(0, 80) ?? '',
      });
    }
  }
  return hits;
}

/** Up to ~40 characters either side of the match, cut at word boundaries. NFKD keeps indices close for Latin text. */
function snippet(text: string, at: number, length: number): string {
  const from = Math.max(0, text.lastIndexOf(' ', Math.max(0, at - 40)));
  const toSpace = text.indexOf(' ', Math.min(text.length, at + length + 40));
  const to = toSpace < 0 ? text.length : toSpace;
  return `${from > 0 ? '…' : ''}${text.slice(from, to).trim()}${to < text.length ? '…' : ''}`;
}
