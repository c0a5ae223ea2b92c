/**
 * Durable transcripts (the history). One JSON file per transcript under `transcripts/`, written atomically, so a
 * crash never tears one. Edits replace the segments but the model's original output is kept beside them, so the user
 * can always see what was recognised. Deleting moves the file into `transcripts/.trash/` so it can be restored
 * (undo); trash older than a week is purged when the library opens.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { DeviceInfo, DiarizationSummary, Segment } from '../asr/types.ts';
import { EarshotError } from '../errors.ts';
import { recoverDataFile } from '../data-notices.ts';
import { readJson, writeJsonAtomic } from '../fs-atomic.ts';
import { speakersOf } from '../diarize/assign.ts';
import { searchTranscripts, type SearchHit } from './search.ts';

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

const TRASH_RETENTION_MS = 7 * 24 * 3600 * 1000;
const ID_RE = /^[A-Za-z0-9_-]{1,80}$/;

export class TranscriptLibrary {
  private cache = new Map<string, StoredTranscript>();
  private loaded = false;
  private readonly trashDir: string;

  /**
   * @param ownedMediaDir where media downloaded for transcripts lives (the data folder's media/): a purged
   *   transcript's media is deleted with it; the user's own files elsewhere are never touched.
   */
  constructor(
    private readonly dir: string,
    private readonly ownedMediaDir?: string,
  ) {
    this.trashDir = path.join(dir, '.trash');
  }

  private file(id: string, trash = false): string {
    if (!ID_RE.test(id)) throw new EarshotError('INVALID_PARAMETER', `Invalid transcript id: ${id}`);
    return path.join(trash ? this.trashDir : this.dir, `${id}.json`);
  }

  private async load(): Promise<void> {
    if (this.loaded) return;
    await fs.mkdir(this.trashDir, { recursive: true });
    for (const name of await fs.readdir(this.dir)) {
      if (!name.endsWith('.json')) continue;
      const file = path.join(this.dir, name);
      let t: StoredTranscript | null | undefined = null;
      try {
        t = await readJson<StoredTranscript | null | undefined>(file, undefined);
      } catch {
        // damaged: below
      }
      if (t === undefined) continue; // removed since the listing
      if (t && typeof t.id === 'string' && Array.isArray(t.segments)) this.cache.set(t.id, t);
      // One damaged file is set aside and reported rather than hiding the whole history, or itself, silently.
      else recoverDataFile(file, 'A transcript', 'damaged', 'could not be shown in History');
    }
    await this.purgeTrash();
    this.loaded = true;
  }

  private async purgeTrash(): Promise<void> {
    const now = Date.now();
    for (const name of await fs.readdir(this.trashDir)) {
      const p = path.join(this.trashDir, name);
      const st = await fs.stat(p).catch(() => undefined);
      if (!st || now - st.mtimeMs <= TRASH_RETENTION_MS) continue;
      const t = await readJson<StoredTranscript | null>(p, null).catch(() => null);
      const media = t?.mediaPath ? path.resolve(t.mediaPath) : undefined;
      if (media && this.ownedMediaDir && media.startsWith(path.resolve(this.ownedMediaDir) + path.sep)) {
        await fs.rm(media, { force: true });
      }
      await fs.rm(p, { force: true });
    }
  }

  /** `id` lets the job queue choose the id before saving, so a crash right after cannot make a second copy. */
  async create(
    input: Omit<StoredTranscript, 'id' | 'createdAt' | 'updatedAt'>,
    id: string = randomUUID(),
  ): Promise<StoredTranscript> {
    await this.load();
    const now = new Date().toISOString();
    const t: StoredTranscript = { ...input, id, createdAt: now, updatedAt: now };
    await writeJsonAtomic(this.file(t.id), t);
    this.cache.set(t.id, t);
    return structuredClone(t);
  }

  async list(): Promise<TranscriptSummaryRecord[]> {
    await this.load();
    return [...this.cache.values()].map(summarize).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async has(id: string): Promise<boolean> {
    await this.load();
    return this.cache.has(id);
  }

  async get(id: string): Promise<StoredTranscript> {
    await this.load();
    const t = this.cache.get(id);
    if (!t) throw new EarshotError('INVALID_PARAMETER', 'Transcript not found', { id });
    return structuredClone(t);
  }

  private async save(t: StoredTranscript): Promise<StoredTranscript> {
    t.updatedAt = new Date().toISOString();
    await writeJsonAtomic(this.file(t.id), t);
    this.cache.set(t.id, t);
    return structuredClone(t);
  }

  async updateSegments(id: string, segments: Segment[]): Promise<StoredTranscript> {
    const t = await this.get(id);
    t.originalSegments ??= t.segments;
    t.segments = segments.map((s, i) => ({ ...s, id: i }));
    return this.save(t);
  }

  async rename(id: string, title: string): Promise<StoredTranscript> {
    const clean = title.trim();
    if (!clean) throw new EarshotError('INVALID_PARAMETER', 'A title cannot be empty');
    const t = await this.get(id);
    t.title = clean.slice(0, 200);
    return this.save(t);
  }

  /** Moves the transcript to the trash; `restore` brings it back. */
  async remove(id: string): Promise<void> {
    await this.get(id);
    await fs.rename(this.file(id), this.file(id, true));
    const trashed = this.file(id, true);
    const now = new Date();
    await fs.utimes(trashed, now, now);
    this.cache.delete(id);
  }

  async restore(id: string): Promise<StoredTranscript> {
    await this.load();
    const trashed = this.file(id, true);
    const t = await readJson<StoredTranscript | null>(trashed, null);
    if (!t)
      throw new EarshotError('INVALID_PARAMETER', 'Nothing to restore: the transcript is not in the trash', { id });
    await fs.rename(trashed, this.file(id));
    this.cache.set(id, t);
    return structuredClone(t);
  }

  async search(query: string, limit = 100): Promise<SearchHit[]> {
    await this.load();
    return searchTranscripts([...this.cache.values()], query, limit);
  }
}

function summarize(t: StoredTranscript): TranscriptSummaryRecord {
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
