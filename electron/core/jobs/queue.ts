/**
 * The persisted job queue. Every state change is written atomically to `jobs/queue.json`, so queued and running work
 * survives a restart or a crash: on start, jobs that were mid-flight go back to the front of the queue, and continue
 * after the segments they had finished (saved as they go in `jobs/<id>.partial.json`). One job runs at a time
 * (transcription already uses every core); the queue keeps running whatever the UI is doing.
 */
import type { NeuralModels } from '../diarize/models/neural.ts';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import { MeteredSegments } from '../asr/metered.ts';
import type { Segment } from '../asr/types.ts';
import { EarshotError, isEarshotError, toApiError } from '../errors.ts';
import { writeJsonAtomic } from '../fs-atomic.ts';
import { CheckpointWriter, checkpointFile, readCheckpoint } from './checkpoint.ts';
import { EtaEstimator } from './eta.ts';
import { removeJobMedia } from './job-media.ts';
import { loadQueueFile, QUEUE_FILE_VERSION } from './queue-file.ts';
import type {
  ActiveStage,
  JobError,
  JobRecord,
  JobSettingsRecord,
  PipelineOutput,
  TranscriptionPipeline,
  UsageMeter,
} from './types.ts';

/** Share of the whole job each stage takes, for one progress bar (transcription dominates). */
const STAGE_SPANS: Record<'file' | 'url', Partial<Record<ActiveStage, [number, number]>>> = {
  file: { decoding: [0, 0.08], transcribing: [0.08, 1] },
  url: { downloading: [0, 0.15], decoding: [0.15, 0.22], transcribing: [0.22, 1] },
};
const ACTIVE: ReadonlySet<string> = new Set(['downloading', 'decoding', 'transcribing']);
const PROGRESS_PERSIST_MS = 2000;

export interface JobQueueHooks {
  pipeline: TranscriptionPipeline;
  /** Which model folder runs a job; throws MODEL_NOT_FOUND when none is installed. */
  resolveModel(modelId?: string): Promise<{ id: string; name: string; dir: string }>;
  /**
   * Throws the license error (INVALID_LICENSE, LICENSE_EXPIRED, QUOTA_EXCEEDED...) when work is not allowed; else the
   * meter the job's audio is charged to as it is transcribed (none: the work is not metered).
   */
  authorize(): Promise<UsageMeter | undefined>;
  /** Stores the finished transcript under `transcriptId`; returns its id. */
  saveTranscript(job: JobRecord, output: PipelineOutput, transcriptId: string): Promise<string>;
  /** Whether a transcript with this id is stored (a job interrupted right after saving it is then done). */
  transcriptExists?(transcriptId: string): Promise<boolean>;
  /** The diarization models a job asking for speakers runs (undefined: the classical method). */
  resolveDiarization?(choice: 'auto' | 'classical' | 'neural'): Promise<NeuralModels | undefined>;
  mediaDir: string;
  /** How often a finished result that could not be saved (disk full) is tried again; default 30 s. */
  saveRetryMs?: number;
}

const SAVE_RETRY_MS = 30_000;

/** A finished job's result, paid for (`quota` when the limit cut it), ready to save. */
interface Paid {
  output: PipelineOutput;
  quota?: { error: Error; at: number };
}

/** A result that could not be saved (or not yet paid for: `pay` is then still to run) — kept until it can. */
interface UnsavedResult extends Paid {
  pay?: () => Promise<Paid>;
}

export class JobQueue extends EventEmitter<{ update: [JobRecord]; removed: [string]; paused: [boolean] }> {
  private jobs: JobRecord[] = [];
  private running?: { id: string; controller: AbortController; promise: Promise<void> };
  private started = false;
  /** Paused by the user: the running job finishes, the next ones wait (for this session only). */
  private paused = false;
  private lastPersist = 0;
  private persistChain: Promise<void> = Promise.resolve();
  /**
   * Finished results whose transcript could not be saved (a full disk): kept here, not dropped, and saved again on
   * retry, on a timer and at shutdown. The job's checkpoint stays on disk too, so even a quit loses little.
   */
  private readonly unsaved = new Map<string, UnsavedResult>();
  private saveRetryTimer?: NodeJS.Timeout;
  private readonly file: string;
  private readonly dir: string;

  constructor(
    dir: string,
    private readonly hooks: JobQueueHooks,
  ) {
    super();
    this.dir = dir;
    this.file = path.join(dir, 'queue.json');
  }

  /** Loads the persisted queue, re-queues interrupted jobs and starts working. */
  async start(): Promise<void> {
    if (this.started) return;
    this.jobs = loadQueueFile(this.file);
    for (const job of this.jobs) {
      if (!ACTIVE.has(job.stage)) continue;
      if (job.savingAs && (await this.hooks.transcriptExists?.(job.savingAs).catch(() => false))) {
        // Interrupted after its transcript was saved: done, not run again into a duplicate.
        Object.assign(job, {
          stage: 'done',
          progress: 1,
          transcriptId: job.savingAs,
          finishedAt: new Date().toISOString(),
        });
        delete job.etaSeconds;
        delete job.preview;
        await this.dropCheckpoint(job.id);
      } else Object.assign(job, { stage: 'queued', progress: 0, etaSeconds: undefined, resumed: true });
      delete job.savingAs;
    }
    this.started = true;
    await this.persist(true).catch(() => {}); // a full disk at start must not stop the app
    this.pump();
  }

  list(): JobRecord[] {
    return this.jobs.map((j) => structuredClone(j));
  }

  get(id: string): JobRecord {
    const job = this.jobs.find((j) => j.id === id);
    if (!job) throw new EarshotError('NOT_FOUND', 'No such job', { id });
    return job;
  }

  /** Queues `sources`; `failed` are added as failed jobs at once (e.g. a sub-folder that could not be read). */
  async add(
    sources: JobRecord['source'][],
    settings: JobSettingsRecord,
    failed: { source: JobRecord['source']; error: JobError }[] = [],
  ): Promise<JobRecord[]> {
    const now = new Date().toISOString();
    const added = sources.map<JobRecord>((source) => ({
      id: randomUUID(),
      source,
      stage: 'queued',
      progress: 0,
      createdAt: now,
      settings: { ...settings },
    }));
    for (const { source, error } of failed) {
      added.push({
        id: randomUUID(),
        source,
        stage: 'failed',
        progress: 0,
        createdAt: now,
        finishedAt: now,
        error,
        settings: { ...settings },
      });
    }
    this.jobs.push(...added);
    try {
      await this.persist(true);
    } catch (e) {
      // Not on disk means not accepted: a job the caller was told about must survive a restart.
      this.jobs = this.jobs.filter((j) => !added.includes(j));
      throw e;
    }
    for (const j of added) this.emit('update', structuredClone(j));
    this.pump();
    return added.map((j) => structuredClone(j));
  }

  async cancel(id: string): Promise<void> {
    const job = this.get(id);
    if (this.running?.id === id) {
      this.running.controller.abort();
      await this.running.promise;
      return;
    }
    if (job.stage === 'queued') await this.change(job, { stage: 'cancelled', etaSeconds: undefined }, true);
  }

  /** Queues a failed or cancelled job again; `settings`, when given, replace the ones it ran with. */
  async retry(id: string, settings?: JobSettingsRecord): Promise<JobRecord> {
    const job = this.get(id);
    if (job.stage !== 'failed' && job.stage !== 'cancelled') {
      throw new EarshotError('INVALID_PARAMETER', 'Only failed or cancelled jobs can be retried', { id });
    }
    if (this.unsaved.has(id)) {
      // The transcription is done; only saving it failed. Save it now (throws DISK_FULL again when still full).
      await this.saveKept(job);
      return structuredClone(job);
    }
    await this.change(
      job,
      {
        stage: 'queued',
        progress: 0,
        error: undefined,
        etaSeconds: undefined,
        finishedAt: undefined,
        resumed: undefined,
        resumedFrom: undefined,
        ...(settings ? { settings: { ...settings } } : {}),
      },
      true,
    );
    this.pump();
    return structuredClone(job);
  }

  async remove(id: string): Promise<void> {
    this.get(id);
    if (this.running?.id === id) await this.cancel(id);
    this.unsaved.delete(id);
    this.jobs = this.jobs.filter((j) => j.id !== id);
    await this.persist(true);
    await this.dropCheckpoint(id);
    this.emit('removed', id);
  }

  /** Stops the running job (it will resume on the next start) and waits for the last write. */
  async stop(): Promise<void> {
    this.started = false;
    clearTimeout(this.saveRetryTimer);
    this.running?.controller.abort('shutdown');
    await this.running?.promise;
    await this.retryUnsaved(); // one last try; what still cannot be saved resumes from its checkpoint on retry
    clearTimeout(this.saveRetryTimer);
    await this.persistChain.catch(() => {});
  }

  /** Pausing lets the running job finish and holds the rest; resuming starts the next one. */
  setPaused(paused: boolean): boolean {
    const changed = this.paused !== paused;
    this.paused = paused;
    if (changed) this.emit('paused', paused);
    this.pump();
    return this.paused;
  }

  isPaused(): boolean {
    return this.paused;
  }

  private pump(): void {
    if (!this.started || this.running || this.paused) return;
    const next = this.jobs.find((j) => j.stage === 'queued');
    if (!next) return;
    const controller = new AbortController();
    const promise = this.execute(next, controller).finally(() => {
      this.running = undefined;
      this.pump();
    });
    this.running = { id: next.id, controller, promise };
  }

  private async execute(job: JobRecord, controller: AbortController): Promise<void> {
    const eta = new EtaEstimator();
    const spans = STAGE_SPANS[job.source.kind];
    let checkpoint: CheckpointWriter | undefined;
    // Fired when the quota runs out: the pipeline stops reading audio and returns what it has.
    const finish = new AbortController();
    let metered: MeteredSegments | undefined;
    try {
      const meter = await this.hooks.authorize();
      const model = await this.hooks.resolveModel(job.settings.modelId);
      const diarization = job.settings.diarize
        ? {
            numSpeakers: job.settings.numSpeakers,
            models: await this.hooks.resolveDiarization?.(job.settings.diarizeWith ?? 'auto'),
          }
        : undefined;
      const file = checkpointFile(this.dir, job.id);
      const resume = await readCheckpoint(file);
      checkpoint = new CheckpointWriter(file, model.name);
      const writer = checkpoint;
      const takeSegment = (segment: Segment) => {
        writer.add(segment);
        const preview = `${job.preview ? `${job.preview} ` : ''}${segment.text.trim()}`.slice(-240).trimStart();
        void this.change(job, { preview }, false);
      };
      metered = meter && new MeteredSegments(meter, finish, takeSegment);
      await this.change(
        job,
        {
          stage: job.source.kind === 'url' ? 'downloading' : 'decoding',
          progress: 0,
          startedAt: new Date().toISOString(),
          model: model.name,
        },
        true,
      );
      const output = await this.hooks.pipeline.run(
        {
          jobId: job.id,
          source: job.source,
          mediaDir: this.hooks.mediaDir,
          modelDir: model.dir,
          modelName: model.name,
          options: job.settings,
          resume,
          diarization,
        },
        {
          signal: controller.signal,
          finish: finish.signal,
          onStage: (stage, fraction) => {
            if (controller.signal.aborted) return;
            const [from, to] = spans[stage] ?? [0, 1];
            const progress = from + (to - from) * Math.min(1, Math.max(0, fraction));
            const stageChanged = stage !== job.stage;
            // ETA only from the transcribing stage, which dominates and runs at a steady speed.
            if (stageChanged) eta.reset();
            const etaSeconds = stage === 'transcribing' ? eta.update(progress) : undefined;
            void this.change(job, { stage, progress, etaSeconds }, stageChanged);
          },
          onDevice: (device) => void this.change(job, { device }, true),
          onDuration: (duration) => {
            checkpoint?.setDuration(duration);
            void this.change(job, { duration }, false);
          },
          onResume: (fromSeconds) => {
            checkpoint?.continueFrom(resume?.segments ?? []);
            metered?.skipTo(fromSeconds);
            void this.change(job, { resumedFrom: fromSeconds }, true);
          },
          onSegment: (segment) => (metered ? metered.add(segment) : takeSegment(segment)),
        },
      );
      if (controller.signal.aborted) throw new EarshotError('CANCELLED', 'Cancelled by the user');
      // The quota: every segment paid for, then the audio after the last one; past the limit only paid segments stay.
      const pay = async (): Promise<Paid> => {
        if (!metered) return { output };
        const result = await metered.settle(output.result);
        const quota = metered.exceeded && { error: metered.exceeded, at: metered.paidUpTo };
        return { output: { ...output, result }, quota: quota || undefined };
      };
      let paid: Paid;
      try {
        paid = await pay();
      } catch (e) {
        // A full disk kept the charge from being written: the result is kept, unpaid and unsaved, and paid for and
        // saved together once there is space (never handed out before it is paid for).
        if (!isEarshotError(e, 'DISK_FULL')) throw e;
        await checkpoint.flush();
        await this.keepUnsaved(job, { output, pay }, e);
        return;
      }
      let transcriptId: string;
      try {
        await this.change(job, { savingAs: randomUUID() }, true);
        transcriptId = await this.hooks.saveTranscript(structuredClone(job), paid.output, job.savingAs!);
      } catch (e) {
        await checkpoint.flush(); // best effort: the finished segments on disk survive a quit
        await this.keepUnsaved(job, paid, e);
        return;
      }
      await this.finish(job, paid.output, transcriptId, paid.quota);
      await checkpoint.discard();
    } catch (e) {
      if (controller.signal.reason === 'shutdown') {
        await checkpoint?.flush(); // stays active on disk → resumed next start, after what was finished
        return;
      }
      // Failed or cancelled: its partial work is not kept (before the writer existed, a stale file may still be there).
      await (checkpoint ? checkpoint.discard() : this.dropCheckpoint(job.id));
      // A failed or cancelled URL job has no transcript to play its download for.
      if (job.source.kind === 'url') await removeJobMedia(this.hooks.mediaDir, job.id);
      const cancelled = controller.signal.aborted || isEarshotError(e, 'CANCELLED');
      await this.change(
        job,
        {
          stage: cancelled ? 'cancelled' : 'failed',
          etaSeconds: undefined,
          error: cancelled ? undefined : toApiError(e),
          finishedAt: new Date().toISOString(),
        },
        true,
      );
    }
  }

  /** Marks a saved job done; or, when the quota stopped it, failed with QUOTA_EXCEEDED and its saved transcript. */
  private async finish(
    job: JobRecord,
    output: PipelineOutput,
    transcriptId: string,
    quota?: { error: Error; at: number },
  ): Promise<void> {
    const finished = {
      etaSeconds: undefined,
      preview: undefined,
      savingAs: undefined,
      transcriptId,
      device: output.result.device,
      duration: output.result.duration,
      finishedAt: new Date().toISOString(),
    };
    if (quota) {
      // Stopped at the limit: what was transcribed is saved (transcriptId), and the queue says why it stopped.
      const error = toApiError(quota.error);
      error.message = `Stopped at ${formatClock(quota.at)}: ${error.message}. The transcript up to there is saved.`;
      await this.change(job, { ...finished, stage: 'failed', error }, true);
      return;
    }
    await this.change(job, { ...finished, stage: 'done', progress: 1, error: undefined }, true);
  }

  /** The result is done but not saved: the job says why (DISK_FULL) and that the result is kept; saving is retried. */
  private async keepUnsaved(job: JobRecord, kept: UnsavedResult, e: unknown): Promise<void> {
    this.unsaved.set(job.id, kept);
    const cause = toApiError(e);
    await this.change(
      job,
      {
        stage: 'failed',
        etaSeconds: undefined,
        error: {
          code: cause.code,
          message: `${cause.message}. The transcript is kept and saved as soon as it can be (or retry now)`,
          details: { ...cause.details, resultKept: true },
        },
        finishedAt: new Date().toISOString(),
      },
      true,
    );
    this.scheduleSaveRetry();
  }

  private async saveKept(job: JobRecord): Promise<void> {
    const kept = this.unsaved.get(job.id);
    if (!kept) return;
    if (kept.pay) {
      // Paid first (throws DISK_FULL again while the ledger cannot be written), then saved.
      const paid = await kept.pay();
      kept.output = paid.output;
      kept.quota = paid.quota;
      kept.pay = undefined;
    }
    job.savingAs ??= randomUUID();
    const transcriptId = await this.hooks.saveTranscript(structuredClone(job), kept.output, job.savingAs);
    this.unsaved.delete(job.id);
    await this.finish(job, kept.output, transcriptId, kept.quota);
    await this.dropCheckpoint(job.id);
  }

  private async retryUnsaved(): Promise<void> {
    for (const id of [...this.unsaved.keys()]) {
      const job = this.jobs.find((j) => j.id === id);
      if (!job) this.unsaved.delete(id);
      else await this.saveKept(job).catch(() => {});
    }
    if (this.unsaved.size > 0) this.scheduleSaveRetry();
  }

  private scheduleSaveRetry(): void {
    if (!this.started) return;
    clearTimeout(this.saveRetryTimer);
    this.saveRetryTimer = setTimeout(() => void this.retryUnsaved(), this.hooks.saveRetryMs ?? SAVE_RETRY_MS);
    this.saveRetryTimer.unref();
  }

  private async dropCheckpoint(id: string): Promise<void> {
    await fs.rm(checkpointFile(this.dir, id), { force: true }).catch(() => {});
  }

  private async change(job: JobRecord, patch: Partial<JobRecord>, persistNow: boolean): Promise<void> {
    if (!this.jobs.includes(job)) return;
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) delete (job as unknown as Record<string, unknown>)[k];
      else (job as unknown as Record<string, unknown>)[k] = v;
    }
    // Stage changes reach listeners once they are on disk; progress ticks go out at once. A failed write here does not
    // stop the work (the next write carries this change too); calls that must be on disk (add) await persist itself.
    if (persistNow) {
      await this.persist(true).catch(() => {});
      this.emit('update', structuredClone(job));
    } else {
      this.emit('update', structuredClone(job));
      await this.persist(false).catch(() => {});
    }
  }

  /**
   * Writes are serialised; progress-only changes are written at most every 2 s. The returned promise rejects when
   * this write fails (DISK_FULL when the disk is full); the chain itself goes on with the next write.
   */
  private persist(force: boolean): Promise<void> {
    const now = Date.now();
    if (!force && now - this.lastPersist < PROGRESS_PERSIST_MS) return this.persistChain;
    this.lastPersist = now;
    const snapshot = { version: QUEUE_FILE_VERSION, jobs: this.jobs };
    const body = structuredClone(snapshot);
    const write = this.persistChain.then(() => writeJsonAtomic(this.file, body));
    this.persistChain = write.catch(() => {});
    return write;
  }
}

/** 1:02:03 / 2:03, for messages. */
function formatClock(seconds: number): string {
  const s = Math.floor(seconds);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hh ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}
