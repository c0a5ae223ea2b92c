/**
 * The shapes the library keeps: the stored transcript (one JSON file each), the summary History lists (kept in the
 * summaries index, never the segments), and the search document (only what search reads: title and segment texts).
 */
import type { DeviceInfo, DiarizationSummary, Segment } from '../asr/types.ts';
import { speakersOf } from '../diarize/assign.ts';

export interface StoredTranscript {
  id: string;
  title: string;
  createdAt: string;
  updatedAt: string;
  duration: number;
  language: string;
  model: string;
  /** Media file the transcript came from, for playback (may no longer exist). */
  mediaPath?: string;
  device?: DeviceInfo;
  segments: Segment[];
  /** How speakers were labelled, when they were (the segments carry the names). */
  diarization?: DiarizationSummary;
  /** The recognised segments before any user edit; absent until the first edit. */
  originalSegments?: Segment[];
}

export type TranscriptSummaryRecord = Omit<StoredTranscript, 'segments' | 'originalSegments' | 'device'> & {
  edited: boolean;
  preview: string;
  /** Speaker names in order of first appearance, when the transcript was diarized. */
  speakers?: string[];
};

/** A transcript in the trash: its summary, when it was deleted and when it will be purged for good. */
export type TrashedSummaryRecord = TranscriptSummaryRecord & { deletedAt: string; purgeAt: string };

/** Segment as search keeps it: [id, start, speaker or '', text]. Tuples keep the side files small. */
export type SearchSegment = [number, number, string, string];

export interface SearchDoc {
  id: string;
  title: string;
  createdAt: string;
  segments: SearchSegment[];
}

/** What a transcript id may be (it names the transcript's file). */
export const TRANSCRIPT_ID_RE = /^[A-Za-z0-9_-]{1,80}$/;

/** Titles may be as long as the contract allows (electron/contract/schemas.ts). */
export const MAX_TITLE_LENGTH = 500;

export function summarize(t: StoredTranscript): TranscriptSummaryRecord {
  const { segments, originalSegments, device: _device, ...rest } = t;
  const speakers = speakersOf(segments);
  return {
    ...rest,
    ...(speakers.length ? { speakers } : {}),
    edited: originalSegments !== undefined,
    preview: segments
      .map((s) => s.text.trim())
      .join(' ')
      .slice(0, 160),
  };
}

export function searchDocOf(t: StoredTranscript): SearchDoc {
  return {
    id: t.id,
    title: t.title,
    createdAt: t.createdAt,
    segments: t.segments.map((s) => [s.id, s.start, s.speaker ?? '', s.text]),
  };
}

/** A parsed file is a transcript only with the fields every reader relies on. */
export function isStoredTranscript(v: unknown): v is StoredTranscript {
  const t = v as StoredTranscript | null;
  return (
    !!t &&
    typeof t === 'object' &&
    typeof t.id === 'string' &&
    typeof t.title === 'string' &&
    typeof t.createdAt === 'string' &&
    Array.isArray(t.segments) &&
    t.segments.every((s) => s && typeof s.text === 'string' && typeof s.start === 'number')
  );
}
