/** Messages between the library (main thread) and its search worker (search-worker.ts). */
import type { SearchHit } from './search.ts';
import type { SearchDoc, TranscriptSummaryRecord } from './records.ts';

/** A transcript file the summaries index does not know (or knows at another size/time): the worker reads it. */
export interface ReindexItem {
  id: string;
  file: string;
  /** Live transcripts get a search document; trashed ones only a summary. */
  live: boolean;
}

export interface ReindexResult {
  id: string;
  /** Undefined when the file is not a readable transcript (it is then left out of History). */
  summary?: TranscriptSummaryRecord;
  /** The file was removed before it could be read (nothing to report). */
  gone?: boolean;
}

/** A transcript file in a folder: id, modification time, size. */
export type ScannedFile = [id: string, mtimeMs: number, size: number];

export type SearchRequest =
  /** The transcript files of these folders with their time and size (a stat each: off the main thread). */
  | { type: 'scan'; reqId: number; dirs: string[] }
  | { type: 'reindex'; reqId: number; items: ReindexItem[] }
  /** Load the search documents (side files) of these live transcripts. */
  | { type: 'load'; reqId: number; ids: string[] }
  | { type: 'upsert'; reqId: number; doc: SearchDoc }
  | { type: 'remove'; reqId: number; id: string }
  | { type: 'search'; reqId: number; query: string; limit: number };

export type SearchResponse =
  | { reqId: number; ok: true; value: ReindexResult[] | SearchHit[] | string[] | ScannedFile[][] | null }
  | { reqId: number; ok: false; message: string };
