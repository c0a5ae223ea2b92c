/**
 * Durable transcripts (the history). One JSON file per transcript under `transcripts/`, written atomically, so a
 * crash never tears one. Edits replace the segments but the model's original output is kept beside them, so the user
 * can always see what was recognised. Deleting moves the file into `transcripts/.trash/` so it can be restored; trash
 * older than a week is purged when the library opens.
 *
 * Scale: the transcripts themselves are read only when one is opened. History lists come from the summaries index
 * (`transcripts/.index/summaries.json`: each transcript's summary with its file's size and time), which is checked
 * against the folder on open, so a file written just before a crash, or changed by hand, is (re)read then. Search runs
 * in a worker thread over its own side files (`.index/search/`, the segment texts only). The summaries index is the
 * commit record: it is flushed after the transcript and its side file, so a stale one only means re-reading a file.
 *
 * Writes to one transcript are serialised (rename, segment saves, delete, restore, delete forever): each reads the
 * file as the previous write left it, so none overwrites another's change.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Segment } from '../asr/types.ts';
import { recoverDataFile } from '../data-notices.ts';
import { EarshotError } from '../errors.ts';
import { readJson, writeFileAtomic, writeJsonAtomic } from '../fs-atomic.ts';
import {
  isStoredTranscript,
  MAX_TITLE_LENGTH,
  type StoredTranscript,
  searchDocOf,
  summarize,
  type TranscriptSummaryRecord,
  TRANSCRIPT_ID_RE,
  type TrashedSummaryRecord,
} from './records.ts';
import { SearchClient } from './search-client.ts';
import { writeDerivedFile } from './derived-file.ts';
import type { ReindexItem } from './search-protocol.ts';
import type { SearchHit } from './search.ts';

export type { StoredTranscript, TranscriptSummaryRecord, TrashedSummaryRecord } from './records.ts';

export const TRASH_RETENTION_MS = 7 * 24 * 3600 * 1000;
const INDEX_VERSION = 1;
/** Edits in a burst are flushed to the summaries index once. */
const FLUSH_DELAY_MS = 250;

interface Entry {
  summary: TranscriptSummaryRecord;
  /** The file's modification time and size when the summary was taken. */
  mtimeMs: number;
  size: number;
}

interface IndexFile {
  version: number;
  live: Record<string, Entry>;
  trash: Record<string, Entry>;
}

type FileStat = { mtimeMs: number; size: number };

/** A slice of History's list (TranscriptLibrary.page). */
export interface SummaryPage {
  total: number;
  version: number;
  offset: number;
  items: TranscriptSummaryRecord[];
  /** False: the list as last saved, before the folder was checked against it (while the library opens). */
  checked: boolean;
}

export class TranscriptLibrary {
  private live = new Map<string, Entry>();
  private trash = new Map<string, Entry>();
  private sorted?: TranscriptSummaryRecord[];
  /** Bumped on every change to what History lists, so a page read before a change is known to be stale. 0 is the
   *  list as last saved, before the folder is checked at opening; every checked list is 1 or more. */
  private version = 0;
  /** While the library opens: History's list from the summaries index as last saved (not yet checked). */
  private provisional?: TranscriptSummaryRecord[];
  private indexRead?: Promise<void>;
  private opened = false;
  private opening?: Promise<void>;
  private searchReady: Promise<void> = Promise.resolve();
  private locks = new Map<string, Promise<unknown>>();
  private flushTimer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private readonly trashDir: string;
  private readonly indexDir: string;
  private readonly docsDir: string;
  private readonly searcher: SearchClient;

  /**
   * @param ownedMediaDir where media downloaded for transcripts lives (the data folder's media/): a purged
   *   transcript's media is deleted with it; the user's own files elsewhere are never touched.
   */
  constructor(
    private readonly dir: string,
    private readonly ownedMediaDir?: string,
  ) {
    this.trashDir = path.join(dir, '.trash');
    this.indexDir = path.join(dir, '.index');
    this.docsDir = path.join(this.indexDir, 'search');
    this.searcher = new SearchClient(this.docsDir);
  }

  private file(id: string, trash = false): string {
    if (!TRANSCRIPT_ID_RE.test(id)) throw new EarshotError('INVALID_PARAMETER', `Invalid transcript id: ${id}`);
    return path.join(trash ? this.trashDir : this.dir, `${id}.json`);
  }

  private docFile(id: string): string {
    return path.join(this.docsDir, `${id}.json`);
  }

  private load(): Promise<void> {
    this.opening ??= this.open().catch((e) => {
      this.opening = undefined;
      throw e;
    });
    return this.opening;
  }

  private async open(): Promise<void> {
    let indexRead!: () => void;
    this.indexRead = new Promise((r) => {
      indexRead = r;
    });
    try {
      await this.openChecked(indexRead);
      this.opened = true;
    } finally {
      indexRead();
      this.provisional = undefined;
    }
  }

  private async openChecked(indexRead: () => void): Promise<void> {
    await fs.mkdir(this.docsDir, { recursive: true });
    await fs.mkdir(this.trashDir, { recursive: true });
    const saved = await this.readIndex();
    // History can show the list as last saved at once; checking it against the folder (a stat per transcript) takes
    // a while with thousands. Only when there is one: no index (first run, an upgrade) is not an empty History.
    const known = Object.entries(saved.live)
      .filter(([id, e]) => e?.summary?.id === id && typeof e.summary.createdAt === 'string')
      .map(([, e]) => e.summary);
    if (known.length) this.provisional = sortSummaries(known);
    indexRead();
    // A stat per transcript: in the worker, so that thousands of them leave this thread free (IPC, the window).
    const [liveFiles, trashFiles] = (await this.searcher.scan([this.dir, this.trashDir])).map(
      (files) => new Map(files.map(([id, mtimeMs, size]): [string, FileStat] => [id, { mtimeMs, size }])),
    );
    const toRead: ReindexItem[] = [];
    let changed = false;
    const adopt = (
      files: Map<string, FileStat>,
      known: Record<string, Entry>,
      into: Map<string, Entry>,
      live: boolean,
    ) => {
      for (const [id, st] of files) {
        const e = known[id];
        if (e && e.mtimeMs === st.mtimeMs && e.size === st.size && e.summary?.id === id) into.set(id, e);
        else toRead.push({ id, file: this.file(id, !live), live });
      }
      if (Object.keys(known).some((id) => !files.has(id))) changed = true;
    };
    adopt(liveFiles, saved.live, this.live, true);
    adopt(trashFiles, saved.trash, this.trash, false);
    if (toRead.length) {
      changed = true;
      await this.reindex(toRead, new Map([...liveFiles, ...trashFiles]));
    }
    if (await this.purgeTrash()) changed = true;
    if (changed) await this.flush();
    await this.removeOrphanDocs();
    // The checked list: a page read from the provisional one (version 0) is older than any page from now on.
    this.changed();
    // Search loads in the background; a transcript whose side file is missing is read again for it.
    this.searchReady = this.searcher
      .load([...this.live.keys()])
      .then(async (missing) => {
        if (missing.length) await this.reindex(missing.map((id) => ({ id, file: this.file(id), live: true })));
      })
      .catch(() => {});
  }

  /** Side files of transcripts no longer in History (deleted while the app was closed, or by hand). */
  private async removeOrphanDocs(): Promise<void> {
    for (const name of await fs.readdir(this.docsDir)) {
      if (!this.live.has(name.replace(/\.json$/, ''))) await fs.rm(path.join(this.docsDir, name), { force: true });
    }
  }

  /** Reads transcript files in the search worker (off this thread) into summaries and search side files. */
  private async reindex(items: ReindexItem[], stats?: Map<string, FileStat>): Promise<void> {
    const results = await this.searcher.reindex(items);
    results.forEach((r, i) => {
      const into = items[i].live ? this.live : this.trash;
      const st = stats?.get(r.id) ?? into.get(r.id);
      if (r.summary && st) into.set(r.id, { summary: r.summary, mtimeMs: st.mtimeMs, size: st.size });
      else if (!r.summary && !r.gone) {
        // One damaged file is set aside and reported rather than hiding the whole history, or itself, silently.
        into.delete(r.id);
        recoverDataFile(items[i].file, 'A transcript', 'damaged', 'could not be shown in History');
      }
    });
    this.changed();
  }

  /** What History lists changed: the sorted list is rebuilt on next read and pages carry a new version. */
  private changed(): void {
    this.sorted = undefined;
    this.version++;
  }

  private async readIndex(): Promise<IndexFile> {
    const empty: IndexFile = { version: INDEX_VERSION, live: {}, trash: {} };
    try {
      const v = await readJson<IndexFile | null>(path.join(this.indexDir, 'summaries.json'), null);
      if (!v || v.version !== INDEX_VERSION || typeof v.live !== 'object' || typeof v.trash !== 'object') return empty;
      return { version: INDEX_VERSION, live: v.live ?? {}, trash: v.trash ?? {} };
    } catch {
      // A damaged index only costs re-reading the transcripts.
      return empty;
    }
  }

  private scheduleFlush(): void {
    this.changed();
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush().catch(() => {});
    }, FLUSH_DELAY_MS);
    this.flushTimer.unref();
  }

  /** Writes the summaries index now (flushes are queued so an older snapshot never lands after a newer one). */
  flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const snapshot: IndexFile = {
      version: INDEX_VERSION,
      live: Object.fromEntries(this.live),
      trash: Object.fromEntries(this.trash),
    };
    const file = path.join(this.indexDir, 'summaries.json');
    this.flushing = this.flushing.catch(() => {}).then(() => writeJsonCompact(file, snapshot));
    return this.flushing;
  }

  /** Flushes the index and stops the search worker. */
  async close(): Promise<void> {
    if (this.opening) await this.opening.catch(() => {});
    await Promise.all([...this.locks.values()].map((p) => p.catch(() => {})));
    await this.flush().catch(() => {});
    await this.searcher.close();
  }

  private async purgeTrash(): Promise<boolean> {
    const now = Date.now();
    let purged = false;
    for (const [id, e] of this.trash) {
      if (now - e.mtimeMs <= TRASH_RETENTION_MS) continue;
      await this.deleteTrashed(id, e);
      purged = true;
    }
    return purged;
  }

  private async deleteTrashed(id: string, e: Entry): Promise<void> {
    const media = e.summary.mediaPath ? path.resolve(e.summary.mediaPath) : undefined;
    if (
      media &&
      this.ownedMediaDir &&
      media.startsWith(path.resolve(this.ownedMediaDir) + path.sep) &&
      !this.mediaUsedByAnother(id, media)
    ) {
      await fs.rm(media, { force: true });
    }
    await fs.rm(this.file(id, true), { force: true });
    this.trash.delete(id);
  }

  /** Whether a transcript other than `id` (in History or the trash) plays this media file: a recording transcribed
   *  again shares its audio with the first transcript, and purging one must not take the other's audio. */
  private mediaUsedByAnother(id: string, media: string): boolean {
    for (const [otherId, other] of [...this.live, ...this.trash]) {
      if (otherId !== id && other.summary.mediaPath && path.resolve(other.summary.mediaPath) === media) return true;
    }
    return false;
  }

  /** Runs `fn` after every earlier write to the same transcript has finished. */
  private serial<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    const run = prev.then(fn);
    const tail = run.catch(() => {});
    this.locks.set(id, tail);
    void tail.then(() => {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    });
    return run;
  }

  private async read(id: string, trash = false): Promise<StoredTranscript> {
    const file = this.file(id, trash);
    let t: unknown;
    try {
      t = JSON.parse(await fs.readFile(file, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new EarshotError(
          'NOT_FOUND',
          trash ? 'Nothing to restore: the transcript is not in the trash' : 'Transcript not found',
          { id },
        );
      }
      throw new EarshotError('INVALID_PARAMETER', 'The transcript file is damaged', { id }, { cause: e });
    }
    if (!isStoredTranscript(t) || t.id !== id) {
      throw new EarshotError('INVALID_PARAMETER', 'The transcript file is damaged', { id });
    }
    return t;
  }

  /** Writes a live transcript, then its summary and search document. */
  private async commit(t: StoredTranscript): Promise<StoredTranscript> {
    const file = this.file(t.id);
    await writeJsonAtomic(file, t);
    const st = await fs.stat(file);
    this.live.set(t.id, { summary: summarize(t), mtimeMs: st.mtimeMs, size: st.size });
    await this.indexForSearch(t);
    this.scheduleFlush();
    return t;
  }

  private async indexForSearch(t: StoredTranscript): Promise<void> {
    const doc = searchDocOf(t);
    await writeDerivedFile(this.docFile(t.id), JSON.stringify(doc));
    // Not awaited: the worker handles messages in order, so a later search already sees it.
    this.searcher.upsert(doc).catch(() => {});
  }

  /** `id` lets the job queue choose the id before saving, so a crash right after cannot make a second copy. */
  async create(
    input: Omit<StoredTranscript, 'id' | 'createdAt' | 'updatedAt'>,
    id: string = randomUUID(),
  ): Promise<StoredTranscript> {
    await this.load();
    const now = new Date().toISOString();
    const t: StoredTranscript = {
      ...input,
      title: input.title.slice(0, MAX_TITLE_LENGTH),
      id: this.checked(id),
      createdAt: now,
      updatedAt: now,
    };
    return structuredClone(await this.serial(id, () => this.commit(t)));
  }

  /** Every transcript in History, newest first (summaries: no segments); equal times in id order. */
  async list(): Promise<TranscriptSummaryRecord[]> {
    await this.load();
    return this.sortedList();
  }

  private sortedList(): TranscriptSummaryRecord[] {
    this.sorted ??= sortSummaries([...this.live.values()].map((e) => e.summary));
    return this.sorted;
  }

  /**
   * `limit` summaries of History's list from `offset` (the order of `list`), with how many there are in all and the
   * list's version: History asks only for the rows in view, and a page whose version differs from the one it holds
   * tells it the list changed since (a transcript added, deleted or renamed), so rows kept from before are re-read.
   * While the library opens, the page comes from the summaries index as last saved (`checked: false`, version 0)
   * unless `checked` is asked for: History shows that at once and asks again for the checked one.
   */
  async page(offset: number, limit: number, checked = false): Promise<SummaryPage> {
    const opening = this.load();
    if (!checked && !this.opened) {
      // Opening: the list as last saved, when there is one, rather than waiting for the folder to be checked.
      await Promise.race([opening, this.indexRead]);
      const saved = this.provisional;
      if (saved && !this.opened) {
        return { total: saved.length, version: 0, offset, items: saved.slice(offset, offset + limit), checked: false };
      }
    }
    await opening;
    const all = this.sortedList();
    return {
      total: all.length,
      version: this.version,
      offset,
      items: all.slice(offset, offset + limit),
      checked: true,
    };
  }

  /** Those of `ids` that are in History, in the order given. */
  async existing(ids: string[]): Promise<string[]> {
    await this.load();
    return ids.filter((id) => this.live.has(id));
  }

  async has(id: string): Promise<boolean> {
    await this.load();
    return this.live.has(id);
  }

  async get(id: string): Promise<StoredTranscript> {
    await this.load();
    if (!this.live.has(this.checked(id))) {
      throw new EarshotError('NOT_FOUND', 'Transcript not found', { id });
    }
    return this.read(id);
  }

  private checked(id: string): string {
    this.file(id);
    return id;
  }

  async updateSegments(id: string, segments: Segment[]): Promise<StoredTranscript> {
    await this.load();
    return this.serial(this.checked(id), async () => {
      const t = await this.read(id);
      t.originalSegments ??= t.segments;
      t.segments = segments.map((s, i) => ({ ...s, id: i }));
      t.updatedAt = new Date().toISOString();
      return this.commit(t);
    });
  }

  async rename(id: string, title: string): Promise<StoredTranscript> {
    const clean = title.trim();
    if (!clean) throw new EarshotError('INVALID_PARAMETER', 'A title cannot be empty');
    await this.load();
    return this.serial(this.checked(id), async () => {
      const t = await this.read(id);
      t.title = clean.slice(0, MAX_TITLE_LENGTH);
      t.updatedAt = new Date().toISOString();
      return this.commit(t);
    });
  }

  /** Moves the transcript to the trash; `restore` brings it back. */
  async remove(id: string): Promise<void> {
    await this.load();
    await this.serial(this.checked(id), async () => {
      const live = this.live.get(id);
      if (!live) throw new EarshotError('NOT_FOUND', 'Transcript not found', { id });
      const trashed = this.file(id, true);
      await fs.rename(this.file(id), trashed);
      const now = new Date();
      await fs.utimes(trashed, now, now);
      const st = await fs.stat(trashed);
      this.live.delete(id);
      this.trash.set(id, { summary: live.summary, mtimeMs: st.mtimeMs, size: st.size });
      await fs.rm(this.docFile(id), { force: true });
      this.searcher.remove(id).catch(() => {});
      this.scheduleFlush();
    });
  }

  /**
   * Brings a transcript back from the trash. Refused while a transcript with the same id is in History (it would be
   * overwritten); the trash copy is then kept.
   */
  async restore(id: string): Promise<StoredTranscript> {
    await this.load();
    return this.serial(this.checked(id), async () => {
      if (this.live.has(id) || (await exists(this.file(id)))) {
        throw new EarshotError('INVALID_PARAMETER', 'This transcript is already in History; the trash copy was kept', {
          id,
        });
      }
      const t = await this.read(id, true);
      await fs.rename(this.file(id, true), this.file(id));
      const st = await fs.stat(this.file(id));
      this.trash.delete(id);
      this.live.set(id, { summary: summarize(t), mtimeMs: st.mtimeMs, size: st.size });
      await this.indexForSearch(t);
      this.scheduleFlush();
      return t;
    });
  }

  /** Transcripts in the trash, most recently deleted first. */
  async listTrash(): Promise<TrashedSummaryRecord[]> {
    await this.load();
    return [...this.trash.values()]
      .sort((a, b) => b.mtimeMs - a.mtimeMs)
      .map((e) => ({
        ...e.summary,
        deletedAt: new Date(e.mtimeMs).toISOString(),
        purgeAt: new Date(e.mtimeMs + TRASH_RETENTION_MS).toISOString(),
      }));
  }

  /** Deletes a trashed transcript for good (with media the app downloaded for it). */
  async deleteForever(id: string): Promise<void> {
    await this.load();
    await this.serial(this.checked(id), async () => {
      const e = this.trash.get(id);
      if (!e) {
        // In History but not in the trash: the wrong place, not a missing transcript.
        const code = this.live.has(id) ? 'INVALID_PARAMETER' : 'NOT_FOUND';
        throw new EarshotError(code, 'The transcript is not in the trash', { id });
      }
      await this.deleteTrashed(id, e);
      this.scheduleFlush();
    });
  }

  async search(query: string, limit = 100): Promise<SearchHit[]> {
    await this.load();
    await this.searchReady;
    return this.searcher.search(query, limit);
  }
}

/** Newest first. ISO times in UTC sort as plain strings (localeCompare costs ~100 ms per 10,000). Ties are broken by
 *  id so that the order is total: pages read one by one then never repeat or skip a transcript. */
function sortSummaries(list: TranscriptSummaryRecord[]): TranscriptSummaryRecord[] {
  return list.sort((a, b) =>
    a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** The index is read by this code only: no indentation (it is ~5 MB for 10,000 transcripts). */
async function writeJsonCompact(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(value));
}
