/**
 * The watch folder: media files that appear in a chosen folder are transcribed, and the transcript is written next to
 * each file (e.g. `interview.srt` beside `interview.mp3`). Files already there when watching starts are left alone.
 *
 * Polling rather than fs.watch: fs.watch differs per platform (no recursive mode on older Linux, none on network
 * shares, duplicate events everywhere), and a file being copied must be left until it stops growing anyway — two
 * scans with the same size and mtime say that. What was seen, and which jobs still owe an export, is kept in
 * `watch.json` (written atomically), so a restart neither re-transcribes old files nor forgets a pending export.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ExportFormat, WatchStatus } from '../../contract/api.ts';
import { exportTranscript } from '../export/index.ts';
import { readJson, writeFileAtomic, writeJsonAtomic } from '../fs-atomic.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { isMediaName } from '../media-types.ts';
import type { JobRecord, JobSettingsRecord } from '../jobs/types.ts';
import type { TranscriptLibrary } from '../library/library.ts';
import type { SettingsService } from '../settings/store.ts';
import { EXPORT_EXTENSIONS, freeName } from './export-files.ts';

export interface WatchSettings {
  enabled: boolean;
  folder: string;
  format: ExportFormat;
}

export type { WatchStatus };

interface State {
  folder?: string;
  /** Files seen in the folder: path → "size:mtime" once settled. */
  seen: Record<string, string>;
  /** Jobs that came from the folder and still owe their export: job id → media path. */
  pending: Record<string, string>;
}

export interface WatchFolderDeps {
  settings: SettingsService;
  jobs: JobQueue;
  library: TranscriptLibrary;
  /** Settings a new job runs with (as for a drop with no per-drop choices). */
  jobSettings(): JobSettingsRecord;
  /** Throws when the license does not allow work (the file is then retried on a later scan). */
  authorize(): Promise<void>;
  stateFile: string;
  pollMs?: number;
}

export class WatchFolder {
  private state: State = { seen: {}, pending: {} };
  private timer?: NodeJS.Timeout;
  private scanning?: Promise<void>;
  private status: WatchStatus = { running: false, queued: 0 };
  /** Size and mtime from the previous scan, for files not yet settled. */
  private growing = new Map<string, string>();
  private readonly off: (() => void)[] = [];
  private loaded = false;

  constructor(private readonly deps: WatchFolderDeps) {}

  async start(): Promise<void> {
    this.state = await readJson<State>(this.deps.stateFile, { seen: {}, pending: {} });
    this.state.seen ??= {};
    this.state.pending ??= {};
    this.loaded = true;
    const onJob = (job: JobRecord) => void this.onJob(job);
    this.deps.jobs.on('update', onJob);
    this.off.push(() => this.deps.jobs.off('update', onJob));
    this.off.push(this.deps.settings.onChange(() => void this.apply()));
    await this.apply();
  }

  getStatus(): WatchStatus {
    return { ...this.status };
  }

  async stop(): Promise<void> {
    for (const f of this.off.splice(0)) f();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.scanning;
  }

  /** Starts, restarts or stops watching to match the settings. */
  private async apply(): Promise<void> {
    const w = this.deps.settings.get().watch;
    const folder = w.enabled && w.folder ? path.resolve(w.folder) : undefined;
    if (folder === this.status.folder && this.status.running === Boolean(folder) && !this.status.error) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.scanning;
    this.growing.clear();
    if (!folder) {
      this.status = { running: false, queued: 0 };
      return;
    }
    const st = await fs.stat(folder).catch(() => undefined);
    if (!st?.isDirectory()) {
      this.status = {
        running: false,
        folder,
        queued: 0,
        error: st ? `${folder} is not a folder` : `${folder} does not exist`,
      };
      return;
    }
    // A different folder: what is in it now is the starting point, not work to do.
    if (this.state.folder !== folder) {
      this.state = { folder, seen: {}, pending: this.state.pending };
      for (const f of await this.mediaFiles(folder)) this.state.seen[f.path] = f.key;
      await this.save();
    }
    this.status = { running: true, folder, queued: 0 };
    this.timer = setInterval(() => void this.scan(), this.deps.pollMs ?? 3000);
    this.timer.unref?.();
  }

  /** One pass over the folder; runs one at a time. */
  scan(): Promise<void> {
    this.scanning ??= this.scanOnce().finally(() => {
      this.scanning = undefined;
    });
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    const folder = this.status.running ? this.status.folder : undefined;
    if (!folder || !this.loaded) return;
    let files: { path: string; key: string }[];
    try {
      files = await this.mediaFiles(folder);
    } catch (e) {
      this.status = { ...this.status, running: false, error: `Cannot read ${folder}: ${(e as Error).message}` };
      return;
    }
    const ready: string[] = [];
    for (const f of files) {
      if (this.state.seen[f.path] !== undefined) continue;
      // Settled: the same size and time on two scans in a row (a copy in progress keeps changing).
      if (this.growing.get(f.path) === f.key) ready.push(f.path);
      else this.growing.set(f.path, f.key);
    }
    if (ready.length === 0) return;
    try {
      await this.deps.authorize();
    } catch {
      return; // no license now: the files stay unseen and are queued once work is allowed
    }
    const jobs = await this.deps.jobs.add(
      ready.map((p) => ({ kind: 'file' as const, value: p, name: path.basename(p) })),
      this.deps.jobSettings(),
    );
    for (const [i, job] of jobs.entries()) {
      const file = files.find((f) => f.path === ready[i]);
      this.state.seen[ready[i]] = file?.key ?? '';
      this.state.pending[job.id] = ready[i];
      this.growing.delete(ready[i]);
    }
    this.status = { ...this.status, queued: this.status.queued + jobs.length };
    await this.save();
  }

  private async onJob(job: JobRecord): Promise<void> {
    const media = this.state.pending[job.id];
    if (!media) return;
    if (job.stage === 'failed' || job.stage === 'cancelled') {
      delete this.state.pending[job.id];
      await this.save();
      return;
    }
    if (job.stage !== 'done' || !job.transcriptId) return;
    delete this.state.pending[job.id];
    await this.save();
    try {
      const format = this.deps.settings.get().watch.format;
      const t = await this.deps.library.get(job.transcriptId);
      const out = await exportTranscript(t, format, this.deps.settings.get().subtitles);
      const target = freeName(
        path.join(path.dirname(media), path.basename(media, path.extname(media))),
        EXPORT_EXTENSIONS[format],
      );
      await writeFileAtomic(target, typeof out.data === 'string' ? out.data : out.data);
      this.status = { ...this.status, lastExport: target };
    } catch (e) {
      this.status = { ...this.status, error: `Could not write the transcript of ${media}: ${(e as Error).message}` };
    }
  }

  private async mediaFiles(folder: string): Promise<{ path: string; key: string }[]> {
    const out: { path: string; key: string }[] = [];
    for (const entry of await fs.readdir(folder, { withFileTypes: true })) {
      if (!entry.isFile() || entry.name.startsWith('.')) continue;
      if (!isMediaName(entry.name)) continue;
      const p = path.join(folder, entry.name);
      const st = await fs.stat(p).catch(() => undefined);
      if (st && st.size > 0) out.push({ path: p, key: `${st.size}:${st.mtimeMs}` });
    }
    return out;
  }

  private save(): Promise<void> {
    return writeJsonAtomic(this.deps.stateFile, this.state);
  }
}
