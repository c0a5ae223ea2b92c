/**
 * Optional auto-export: every transcript that a job finishes is also written, in the chosen format, into one folder
 * (for people who collect their transcripts in a synced or shared place). Never over an existing file.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { exportTranscript } from '../export/index.ts';
import { writeFileAtomic } from '../fs-atomic.ts';
import type { JobQueue } from '../jobs/queue.ts';
import type { JobRecord } from '../jobs/types.ts';
import type { TranscriptLibrary } from '../library/library.ts';
import type { SettingsService } from '../settings/store.ts';
import { EXPORT_EXTENSIONS, freeName, safeFileName } from './export-files.ts';

export class AutoExport {
  private off?: () => void;
  private lastError?: string;
  private chain = Promise.resolve();

  constructor(
    private readonly settings: SettingsService,
    private readonly jobs: JobQueue,
    private readonly library: TranscriptLibrary,
  ) {}

  start(): void {
    const onJob = (job: JobRecord) => {
      if (job.stage !== 'done' || !job.transcriptId) return;
      // One at a time: two jobs with the same title must not race for the same free name.
      this.chain = this.chain.then(() => this.write(job.transcriptId!));
    };
    this.jobs.on('update', onJob);
    this.off = () => this.jobs.off('update', onJob);
  }

  /** Why the last export failed (folder missing, not writable), if it did. */
  error(): string | undefined {
    return this.lastError;
  }

  async stop(): Promise<void> {
    this.off?.();
    await this.chain;
  }

  private async write(transcriptId: string): Promise<void> {
    const { enabled, folder, format } = this.settings.get().autoExport;
    if (!enabled || !folder) return;
    try {
      const st = await fs.stat(folder).catch(() => undefined);
      if (!st?.isDirectory()) throw new Error(`${folder} is not a folder`);
      const t = await this.library.get(transcriptId);
      const out = await exportTranscript(t, format, this.settings.get().subtitles);
      const target = freeName(path.join(folder, safeFileName(t.title)), EXPORT_EXTENSIONS[format]);
      await writeFileAtomic(target, out.data);
      this.lastError = undefined;
    } catch (e) {
      this.lastError = `Could not export to ${folder}: ${(e as Error).message}`;
    }
  }
}
