/**
 * Optional auto-export: every transcript that a job finishes is also written, in the chosen format, into one folder
 * (for people who collect their transcripts in a synced or shared place). Never over an existing file.
 */
import type { JobQueue } from '../jobs/queue.ts';
import type { JobRecord } from '../jobs/types.ts';
import type { TranscriptLibrary } from '../library/library.ts';
import type { SettingsService } from '../settings/store.ts';
import { type ExportedFiles, writeExport } from './exported-files.ts';

export class AutoExport {
  private off?: () => void;
  private lastError?: string;
  private chain = Promise.resolve();

  constructor(
    private readonly settings: SettingsService,
    private readonly jobs: JobQueue,
    private readonly library: TranscriptLibrary,
    /** Remembers what was written ("Reveal in folder" may show it). */
    private readonly exported?: ExportedFiles,
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
      const t = await this.library.get(transcriptId);
      const file = await writeExport(t, format, this.settings.get().subtitles, folder);
      await this.exported?.record(file, transcriptId);
      this.lastError = undefined;
    } catch (e) {
      this.lastError = `Could not export to ${folder}: ${(e as Error).message}`;
    }
  }
}
