/**
 * Full-text search across every transcript: case- and accent-insensitive substring match on each segment (and the
 * title), with a short snippet around the first match. It runs in the library's search worker (search-worker.ts),
 * never on the main thread.
 *
 * Memory: per transcript only its normalised text (UTF-8 bytes in a Buffer, outside the JS heap: about 9 KB for ten
 * minutes of speech, held exactly rather than in a garbage-collected heap that keeps room to grow), the segment
 * offsets and a 2 KiB trigram filter are kept; the original texts for snippets are read back from the side file of the few transcripts that matched. The
 * trigram filter skips a transcript without scanning it when one of the query's trigrams never occurs in it, so a rare
 * query over 10,000 transcripts touches only a handful of them. Written here rather than taken from a full-text
 * library because those index words (no substring match) and hold a posting per word in memory, which is what the
 * summaries index exists to avoid; SQLite FTS5 would fit but node:sqlite is missing from Node 20.
 */
import { normalizeForSearch, snippetAt } from './normalize.ts';
import type { SearchDoc } from './records.ts';

export interface SearchHit {
  transcriptId: string;
  title: string;
  segmentId: number;
  start: number;
  snippet: string;
  /** Who said it, when the transcript was diarized. */
  speaker?: string;
}

export { normalizeForSearch } from './normalize.ts';

const FILTER_BITS = 1 << 14;
const FILTER_WORDS = FILTER_BITS / 32;

interface Entry {
  id: string;
  createdAt: string;
  titleNorm: string;
  /**
   * Normalised segment texts joined by '\n' (queries never contain one, so a match never spans two segments), as
   * UTF-8: a match of the query's bytes is a match of its characters (UTF-8 never has one character's bytes inside
   * another's).
   */
  norm: Buffer;
  /** Where each segment starts in `norm` (in bytes); one more entry marks the end. */
  offsets: Int32Array;
  filter: Int32Array;
}

function trigramHash(s: string, i: number): number {
  const h = Math.imul(s.charCodeAt(i), 0x9e3779b1) ^ Math.imul(s.charCodeAt(i + 1), 0x85ebca77);
  return ((h ^ Math.imul(s.charCodeAt(i + 2), 0xc2b2ae3d)) >>> 0) % FILTER_BITS;
}

function buildFilter(text: string): Int32Array {
  const f = new Int32Array(FILTER_WORDS);
  for (let i = 0; i + 2 < text.length; i++) {
    const h = trigramHash(text, i);
    f[h >>> 5] |= 1 << (h & 31);
  }
  return f;
}

function mayContain(f: Int32Array, hashes: number[]): boolean {
  for (const h of hashes) if ((f[h >>> 5] & (1 << (h & 31))) === 0) return false;
  return true;
}

export class SearchIndex {
  /** Newest first, the order History shows. */
  private entries: Entry[] = [];
  private byId = new Map<string, Entry>();

  /** @param readDoc the stored search document of a transcript (for snippets), or undefined when it is gone. */
  constructor(private readonly readDoc: (id: string) => SearchDoc | undefined) {}

  get size(): number {
    return this.entries.length;
  }

  add(doc: SearchDoc): void {
    this.remove(doc.id);
    const parts = doc.segments.map((s) => normalizeForSearch(s[3]).replace(/\n/g, ' '));
    const offsets = new Int32Array(parts.length + 1);
    let at = 0;
    parts.forEach((p, i) => {
      offsets[i] = at;
      at += Buffer.byteLength(p) + 1;
    });
    offsets[parts.length] = at;
    const norm = parts.join('\n');
    const entry: Entry = {
      id: doc.id,
      createdAt: doc.createdAt,
      titleNorm: normalizeForSearch(doc.title),
      norm: utf8Unpooled(norm),
      offsets,
      filter: buildFilter(norm),
    };
    // Insert in order (newest first): transcripts mostly arrive newest, so this is usually at the front.
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.entries[mid].createdAt > doc.createdAt) lo = mid + 1;
      else hi = mid;
    }
    this.entries.splice(lo, 0, entry);
    this.byId.set(doc.id, entry);
  }

  remove(id: string): void {
    const entry = this.byId.get(id);
    if (!entry) return;
    this.byId.delete(id);
    this.entries.splice(this.entries.indexOf(entry), 1);
  }

  search(query: string, limit: number): SearchHit[] {
    const q = normalizeForSearch(query.trim().replace(/\s+/g, ' '));
    if (!q) return [];
    const hashes: number[] = [];
    for (let i = 0; i + 2 < q.length; i++) hashes.push(trigramHash(q, i));
    const needle = Buffer.from(q, 'utf8');
    const found: { entry: Entry; segment: number }[] = [];
    scan: for (const entry of this.entries) {
      let matched = false;
      if (mayContain(entry.filter, hashes)) {
        let from = 0;
        for (;;) {
          const at = entry.norm.indexOf(needle, from);
          if (at < 0) break;
          const segment = segmentAt(entry.offsets, at);
          found.push({ entry, segment });
          matched = true;
          if (found.length >= limit) break scan;
          from = entry.offsets[segment + 1];
        }
      }
      // A title match alone points at the start of the transcript.
      if (!matched && entry.titleNorm.includes(q)) {
        found.push({ entry, segment: -1 });
        if (found.length >= limit) break;
      }
    }
    return this.materialize(found, q);
  }

  /** Turns matches into hits, reading each matched transcript's texts once. */
  private materialize(found: { entry: Entry; segment: number }[], q: string): SearchHit[] {
    const docs = new Map<string, SearchDoc | undefined>();
    const hits: SearchHit[] = [];
    for (const { entry, segment } of found) {
      if (!docs.has(entry.id)) docs.set(entry.id, this.readDoc(entry.id));
      const doc = docs.get(entry.id);
      if (!doc) continue;
      const seg = doc.segments[Math.max(0, segment)];
      const base = { transcriptId: doc.id, title: doc.title, segmentId: seg?.[0] ?? 0, start: seg?.[1] ?? 0 };
      if (segment < 0 || !seg) {
        hits.push({ ...base, snippet: seg?.[3].trim().slice(0, 80) ?? '' });
      } else {
        hits.push({ ...base, snippet: snippetAt(seg[3], q), ...(seg[2] ? { speaker: seg[2] } : {}) });
      }
    }
    return hits;
  }
}

/** Buffer.from would put a short text in its shared 8 KiB pool, and holding it would hold the whole slab. */
function utf8Unpooled(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  bytes.write(text, 'utf8');
  return bytes;
}

function segmentAt(offsets: Int32Array, at: number): number {
  let lo = 0;
  let hi = offsets.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid] <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
