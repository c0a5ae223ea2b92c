/**
 * Transcription jobs on BullMQ. An API node saves the audio in the shared blob folder and enqueues a job that names
 * it (audio never rides in Redis); a worker node runs it with its model threads, charges it once by job id, removes
 * the blob when the job ends, and, for a callback job, queues its webhook. A synchronous request waits for its job's
 * outcome on the queue's event stream. A worker that dies mid-job stops renewing the job's lock; BullMQ's stalled-job
 * check hands the job to another worker, which runs it again from the blob (charged nothing more).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Job, Queue, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { EarshotError, fromApiError, isEarshotError, toApiError } from '../../errors.ts';
import type { ServerConfig } from '../config.ts';
import { ownerOf } from '../jobs.ts';
import type { AudioInput, ListenOptions, RunCheckpoint, Transcript, Transcriber } from '../transcriber.ts';
import type { TranscriptResult } from '../../asr/types.ts';
import { type CallbackShape, shapeCallback } from '../callback-shape.ts';
import { Backlog } from './backlog.ts';
import type { ClusterLimits, LicenseTicket } from './limits.ts';
import { bullPrefix, redisUnavailable } from './redis.ts';
import type { Webhooks } from './webhooks.ts';

export const TRANSCRIBE_QUEUE = 'earshot-transcribe';
/** A live stream's windows, from API nodes (which hold no model) to worker nodes: short, and first in line. */
export const LIVE_QUEUE = 'earshot-live';
/** The longest live window sent through Redis (float32 samples, base64: about 85 kB a second). */
export const MAX_LIVE_SECONDS = 30;

export interface LiveJobData {
  /** 16 kHz float32 samples, base64. */
  samples: string;
  options: ListenOptions;
}

export interface TranscribeJobData {
  /** File name in the blob folder. */
  blob: string;
  bytes: number;
  options: ListenOptions;
  ticket: LicenseTicket;
  kind: 'sync' | 'callback';
  /** Callback jobs: hash of the key that may poll the job, and where its outcome goes. */
  owner?: string;
  callbackUrl?: string;
  /** Callback jobs: how the result is shaped (as the route that accepted it shapes it in single-process mode). */
  shape?: CallbackShape;
  /** The request's backlog slot (backlog.ts), given back when a worker takes the job. */
  slot?: string;
}

export type TranscribeJobResult = { transcript: Transcript } | { body: unknown };

/** Timing of the lock that tells a live worker from a dead one (shorter in tests through the environment). */
export function lockTiming(env: NodeJS.ProcessEnv = process.env): { lockDuration: number; stalledInterval: number } {
  const lockDuration = Math.max(1000, Number(env.EARSHOT_CLUSTER_LOCK_MS) || 15_000);
  return { lockDuration, stalledInterval: Math.max(500, Math.round(lockDuration / 3)) };
}

/** A job's failure as BullMQ stores it (a string): the error's data, INTERNAL_ERROR for anything not ours. */
function failureReason(e: unknown): string {
  return JSON.stringify(
    toApiError(isEarshotError(e) ? e : new EarshotError('INTERNAL_ERROR', 'The transcription failed')),
  );
}

/** The error a job failed with, as the EarshotError the API answers (same code, message and details). */
export function jobError(reason: string | undefined): EarshotError {
  try {
    const data = JSON.parse(reason ?? '') as unknown;
    const error = toApiError(data);
    if (error.code !== 'INTERNAL_ERROR' || (data as { code?: unknown }).code === 'INTERNAL_ERROR')
      return fromApiError(error);
  } catch {}
  return new EarshotError('INTERNAL_ERROR', 'The transcription failed');
}

/** The API side: puts requests on the queue and waits for them, or reports callback jobs. */
export class JobDispatcher {
  readonly queue: Queue<TranscribeJobData, TranscribeJobResult>;
  private readonly events: QueueEvents;
  private readonly live: Queue<LiveJobData, TranscriptResult>;
  private liveEvents?: QueueEvents;
  readonly backlog: Backlog;

  constructor(
    request: Redis,
    private readonly blocking: () => Redis,
    private readonly prefix: string,
    private readonly blobDir: string,
    private readonly config: ServerConfig,
  ) {
    this.backlog = new Backlog(request, prefix);
    this.queue = new Queue(TRANSCRIBE_QUEUE, { connection: request, prefix: bullPrefix(prefix) });
    this.queue.on('error', () => {});
    this.events = new QueueEvents(TRANSCRIBE_QUEUE, { connection: blocking(), prefix: bullPrefix(prefix) });
    this.events.on('error', () => {});
    this.live = new Queue(LIVE_QUEUE, { connection: request, prefix: bullPrefix(prefix) });
    this.live.on('error', () => {});
  }

  /**
   * The cluster's backlog cap (`--queue`, over all nodes, exact: backlog.ts): takes `slot` for a request that may
   * queue a job (without one, only checks). At the cap, the single-process server's full-queue answer: 503
   * SERVICE_UNAVAILABLE with `retry_after`.
   */
  async admit(slot: string | undefined, workersAlive: () => Promise<number>): Promise<void> {
    const cap = Math.max(1, this.config.queueSize);
    const ttlMs = this.config.requestTimeoutSeconds * 1000 + 60_000;
    const { taken, held } = await this.backlog.take(cap, slot, ttlMs);
    if (taken || (!slot && held < cap)) return;
    // Each worker node takes `workers` jobs at a time; a job of the bundled kind takes seconds, not minutes.
    const nodes = await workersAlive().catch(() => 1);
    const retryAfter = Math.min(30, Math.max(1, Math.ceil(held / Math.max(1, nodes * this.config.workers)) * 5));
    throw new EarshotError('SERVICE_UNAVAILABLE', 'No ASR workers available, the queue is full', {
      retry_after: retryAfter,
    });
  }

  /**
   * A live stream's window, run on some worker node (an API node holds no model). The samples ride in Redis: a
   * window is a few seconds, and it is removed soon after its answer.
   */
  async transcribeSamples(
    samples: Float32Array,
    options: ListenOptions,
    signal: AbortSignal,
  ): Promise<TranscriptResult> {
    if (samples.length > MAX_LIVE_SECONDS * 16000) {
      throw new EarshotError('INVALID_PARAMETER', `A live window is at most ${MAX_LIVE_SECONDS} s`);
    }
    if (!this.liveEvents) {
      this.liveEvents = new QueueEvents(LIVE_QUEUE, { connection: this.blocking(), prefix: bullPrefix(this.prefix) });
      this.liveEvents.on('error', () => {});
      await this.liveEvents.waitUntilReady().catch(() => {});
    }
    const bytes = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
    let job: Job<LiveJobData, TranscriptResult>;
    try {
      job = await this.live.add(
        'window',
        { samples: bytes.toString('base64'), options },
        {
          jobId: `live_${randomBytes(10).toString('hex')}`,
          attempts: JOB_ATTEMPTS,
          removeOnComplete: { age: 60 },
          removeOnFail: { age: 60 },
        },
      );
    } catch (e) {
      throw redisUnavailable(e);
    }
    return this.outcome(job, signal, this.live, this.liveEvents);
  }

  /** Moves an upload (or a downloaded URL) into the blob folder under a fresh name. */
  private async toBlob(input: Extract<AudioInput, { kind: 'file' }>, name: string): Promise<void> {
    const target = path.join(this.blobDir, name);
    try {
      await fs.rename(input.path, target);
    } catch {
      // Another filesystem (a shared volume): copy, then the request's own cleanup removes the original.
      await fs.copyFile(input.path, target);
    }
  }

  private async enqueue(
    jobId: string,
    data: Omit<TranscribeJobData, 'blob'>,
    input: AudioInput,
  ): Promise<Job<TranscribeJobData, TranscribeJobResult>> {
    if (input.kind !== 'file') throw new EarshotError('INTERNAL_ERROR', 'URL inputs are downloaded before queueing');
    const blob = `${jobId}.audio`;
    await this.toBlob(input, blob);
    let job: Job<TranscribeJobData, TranscribeJobResult>;
    try {
      job = await this.queue.add(
        'transcribe',
        { ...data, blob },
        {
          jobId,
          // A run that failed for a reason other than the job's own (its thread died, Redis went away) runs again.
          attempts: JOB_ATTEMPTS,
          backoff: { type: 'fixed', delay: 1000 },
          // A synchronous answer is collected within the request budget; a callback job stays pollable.
          removeOnComplete: { age: data.kind === 'sync' ? 3600 : this.config.jobRetentionSeconds },
          removeOnFail: { age: this.config.jobRetentionSeconds },
        },
      );
    } catch (e) {
      await fs.rm(path.join(this.blobDir, blob), { force: true });
      throw redisUnavailable(e);
    }
    // The slot, no longer subject to expiry, lasts until a worker takes the job (or, for a synchronous one, until its
    // request ends: by then its job has been taken, or removed with the request).
    if (data.slot) await this.backlog.queued(data.slot).catch(() => {});
    return job;
  }

  /** Runs a synchronous request on some worker and waits for its transcript (or its error, unchanged). */
  async transcribe(
    input: AudioInput,
    options: ListenOptions,
    ticket: LicenseTicket,
    signal: AbortSignal,
    slot?: string,
  ): Promise<Transcript> {
    const jobId = `sync_${randomBytes(10).toString('hex')}`;
    const data = { bytes: input.kind === 'file' ? input.bytes : 0, options, ticket, kind: 'sync' as const, slot };
    const job = await this.enqueue(jobId, data, input);
    const outcome = await this.outcome(job, signal);
    if ('transcript' in outcome) return outcome.transcript;
    throw new EarshotError('INTERNAL_ERROR', 'Unexpected job result');
  }

  /**
   * The job's outcome: from the event stream as soon as it is announced, or from the job itself (checked every
   * second, in case the announcement fell into a Redis restart).
   */
  private async outcome<D, R>(
    job: Job<D, R>,
    signal: AbortSignal,
    queue: Queue<D, R> = this.queue as unknown as Queue<D, R>,
    events: QueueEvents = this.events,
  ): Promise<R> {
    const stop = new AbortController();
    const aborted = new Promise<never>((_, reject) => {
      const onAbort = () => reject(signal.reason ?? new EarshotError('CANCELLED'));
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      stop.signal.addEventListener('abort', () => signal.removeEventListener('abort', onAbort));
    });
    aborted.catch(() => {});
    const polled = (async (): Promise<R> => {
      while (!stop.signal.aborted) {
        await new Promise((r) => setTimeout(r, 1000));
        const state = await job.getState().catch(() => 'unknown');
        if (state === 'completed' || state === 'failed') {
          const fresh = await Job.fromId<D, R>(queue, job.id!).catch(() => undefined);
          if (fresh && state === 'completed') return fresh.returnvalue;
          if (fresh) throw new Error(fresh.failedReason);
        }
      }
      return new Promise<never>(() => {});
    })();
    try {
      return await Promise.race([job.waitUntilFinished(events) as Promise<R>, polled, aborted]);
    } catch (e) {
      if (signal.aborted) {
        // Nobody waits for it any more: drop it if no worker has taken it yet.
        await job.remove().catch(() => {});
        throw e;
      }
      throw jobError(e instanceof Error ? e.message : String(e));
    } finally {
      stop.abort();
    }
  }

  /** Accepts a callback job; the worker that runs it delivers its webhook and frees its concurrency slot. */
  async accept(
    input: AudioInput,
    options: ListenOptions,
    ticket: LicenseTicket,
    key: string,
    shape: CallbackShape = { kind: 'listen' },
    slot?: string,
  ): Promise<string> {
    const jobId = `job_${ticket.leaseId}`;
    await this.enqueue(
      jobId,
      {
        bytes: input.kind === 'file' ? input.bytes : 0,
        options,
        ticket,
        kind: 'callback',
        owner: ownerOf(key),
        callbackUrl: options.callback_url,
        shape,
        slot,
      },
      input,
    );
    return jobId;
  }

  /** GET /v1/jobs/{id} from any node: the job as the single-process server shows it. */
  async view(id: string, key: string, webhooks: Webhooks): Promise<Record<string, unknown> | undefined> {
    let job: Job<TranscribeJobData, TranscribeJobResult> | undefined;
    let state: string;
    try {
      job = await Job.fromId<TranscribeJobData, TranscribeJobResult>(this.queue, id);
      if (job?.data.kind !== 'callback' || job.data.owner !== ownerOf(key)) return undefined;
      state = await job.getState();
    } catch (e) {
      throw redisUnavailable(e);
    }
    const status = state === 'completed' ? 'completed' : state === 'failed' ? 'failed' : 'processing';
    const view: Record<string, unknown> = {
      job_id: id,
      status,
      created_at: new Date(job.timestamp).toISOString(),
    };
    if (status !== 'processing' && job.finishedOn) view.completed_at = new Date(job.finishedOn).toISOString();
    if (status === 'completed') view.result = (job.returnvalue as { body: unknown }).body;
    if (status === 'failed') view.error = jobError(job.failedReason).toJSON();
    const delivery = await webhooks.state(id);
    view.callback_delivered = delivery.delivered;
    view.callback_attempts = delivery.attempts;
    return view;
  }

  /** Live windows waiting for a worker node, over the cluster. */
  liveWaiting(): Promise<number> {
    return this.live.getWaitingCount().catch(() => 0);
  }

  async close(): Promise<void> {
    await this.events.close().catch(() => {});
    await this.liveEvents?.close().catch(() => {});
    await this.queue.close().catch(() => {});
    await this.live.close().catch(() => {});
  }
}

/** Checkpoints are written at most this often (the last one of a run always is). */
const CHECKPOINT_EVERY_MS = 250;

/**
 * Saves a job's checkpoint (its finished segments) in the job's progress field, at most every CHECKPOINT_EVERY_MS,
 * one write at a time, the latest winning: a worker that dies loses at most the segments since the last write. When
 * the run ends, the latest is written at once if the job will run again, and dropped if it finished: a finished job
 * needs no checkpoint, and waiting out the interval would hold its worker idle (up to 250 ms a job).
 */
function checkpointSaver(job: Job<TranscribeJobData, TranscribeJobResult>) {
  let latest: RunCheckpoint | undefined;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<unknown> = Promise.resolve();
  let last = 0;
  let ended = false;
  const writeNow = () => {
    timer = undefined;
    const checkpoint = latest;
    latest = undefined;
    if (!checkpoint) return;
    last = Date.now();
    // Best effort: a checkpoint that cannot be written only makes a re-run start earlier.
    writing = writing.then(() => job.updateProgress(checkpoint as unknown as object).catch(() => {}));
  };
  return {
    save(checkpoint: RunCheckpoint) {
      if (ended) return;
      latest = checkpoint;
      if (timer) return;
      const wait = last + CHECKPOINT_EVERY_MS - Date.now();
      if (wait <= 0) writeNow();
      else timer = setTimeout(writeNow, wait);
    },
    /** The run is over: `keep` (it will run again) writes the latest now, otherwise it is dropped. */
    async end(keep: boolean) {
      ended = true;
      clearTimeout(timer);
      if (keep) writeNow();
      latest = undefined;
      await writing;
    },
  };
}

/** The checkpoint an earlier run of this job saved, if any. */
function savedCheckpoint(job: Job<TranscribeJobData, TranscribeJobResult>): RunCheckpoint | undefined {
  const p = job.progress as Partial<RunCheckpoint> | number | undefined;
  if (!p || typeof p !== 'object' || !Array.isArray(p.segments) || typeof p.model !== 'string') return undefined;
  if (typeof p.through !== 'number' || typeof p.duration !== 'number') return undefined;
  return p as RunCheckpoint;
}

/** Attempts of a job whose run failed for a reason other than its input or license (a dead thread, Redis away). */
export const JOB_ATTEMPTS = 3;

/** Failures that running again would not change: the input's, the license's, the options'. */
function isFinal(e: unknown): boolean {
  return isEarshotError(e) && e.code !== 'SERVICE_UNAVAILABLE' && e.code !== 'INTERNAL_ERROR';
}

/**
 * The worker side: runs queued jobs on this node's model threads, `config.workers` at a time. Its Redis connections
 * wait for Redis when it is away (a job that finished while Redis restarted charges, queues its webhook and completes
 * once Redis is back), and a job's blob is removed only once the job has really ended, never by a run that lost the
 * job to another worker.
 */
export function startJobWorker(options: {
  connection: Redis;
  prefix: string;
  blobDir: string;
  config: ServerConfig;
  transcriber: Transcriber;
  limits: ClusterLimits;
  backlog: Backlog;
  webhooks: Webhooks;
  onActive?: (delta: number) => void;
  log: (fields: Record<string, unknown>, message: string) => void;
}): Worker<TranscribeJobData, TranscribeJobResult> {
  const { config, transcriber, limits, webhooks, blobDir } = options;
  const worker = new Worker<TranscribeJobData, TranscribeJobResult>(
    TRANSCRIBE_QUEUE,
    async (job) => {
      const data = job.data;
      const file = path.join(blobDir, data.blob);
      const jobId = job.id!;
      // Taken: the job no longer counts against the backlog cap.
      if (data.slot) await options.backlog.release(data.slot).catch(() => {});
      options.onActive?.(1);
      options.log({ job_id: jobId, kind: data.kind, attempt: job.attemptsStarted }, 'cluster job started');
      const saver = checkpointSaver(job);
      try {
        const t = await transcriber.transcribeHere(
          { kind: 'file', path: file, bytes: data.bytes },
          data.options,
          AbortSignal.timeout(config.requestTimeoutSeconds * 1000),
          async (seconds) => {
            await limits.charge(jobId, data.ticket, seconds);
          },
          true,
          {
            resume: savedCheckpoint(job),
            save: (c) => saver.save(c),
            resumed: (from) => options.log({ job_id: jobId, from_seconds: from }, 'cluster job resumed'),
          },
        );
        await saver.end(false);
        options.log({ job_id: jobId, duration: t.duration }, 'cluster job finished');
        if (data.kind === 'sync') return { transcript: t };
        const body = shapeCallback(data.shape ?? { kind: 'listen' }, jobId, t, data.options);
        await webhooks.enqueue(jobId, data.callbackUrl!, { job_id: jobId, status: 'completed', result: body });
        return { body };
      } catch (e) {
        await saver.end(true);
        const final = isFinal(e) || job.attemptsStarted >= JOB_ATTEMPTS;
        options.log({ job_id: jobId, final, error: e instanceof Error ? e.message : String(e) }, 'cluster job failed');
        if (!final) throw new Error(failureReason(e));
        if (data.kind === 'callback') {
          const error = (isEarshotError(e) ? e : new EarshotError('INTERNAL_ERROR')).toJSON();
          await webhooks.enqueue(jobId, data.callbackUrl!, { job_id: jobId, status: 'failed', error });
        }
        // Errors of the input or the license are final: running again would give the same answer.
        throw new UnrecoverableError(failureReason(e));
      } finally {
        options.onActive?.(-1);
      }
    },
    {
      connection: options.connection,
      prefix: bullPrefix(options.prefix),
      concurrency: config.workers,
      ...lockTiming(),
      maxStalledCount: 3,
    },
  );
  // The job has ended for good (this worker still held it): its slot and its audio are no longer needed.
  const ended = async (job: Job<TranscribeJobData, TranscribeJobResult> | undefined) => {
    if (!job) return;
    if (job.data.kind === 'callback') await limits.release(job.data.ticket).catch(() => {});
    await fs.rm(path.join(blobDir, job.data.blob), { force: true });
  };
  worker.on('completed', (job) => void ended(job));
  worker.on('failed', (job, e) => {
    if (e instanceof UnrecoverableError || (job && job.attemptsMade >= (job.opts.attempts ?? 1))) void ended(job);
  });
  worker.on('error', () => {});
  return worker;
}

/** The worker side of live streams served by API nodes: each window runs on this node's model threads. */
export function startLiveWorker(options: {
  connection: Redis;
  prefix: string;
  config: ServerConfig;
  transcriber: Transcriber;
}): Worker<LiveJobData, TranscriptResult> {
  const { config, transcriber } = options;
  const worker = new Worker<LiveJobData, TranscriptResult>(
    LIVE_QUEUE,
    async (job) => {
      const bytes = Buffer.from(job.data.samples, 'base64');
      // A copy that owns its buffer (it is handed over to the model's thread).
      const samples = new Float32Array(bytes.byteLength / 4);
      new Uint8Array(samples.buffer).set(bytes);
      try {
        return await transcriber.transcribeSamples(
          samples,
          job.data.options,
          AbortSignal.timeout(config.requestTimeoutSeconds * 1000),
        );
      } catch (e) {
        if (isFinal(e)) throw new UnrecoverableError(failureReason(e));
        throw new Error(failureReason(e));
      }
    },
    {
      connection: options.connection,
      prefix: bullPrefix(options.prefix),
      concurrency: config.workers,
      ...lockTiming(),
      maxStalledCount: 3,
    },
  );
  worker.on('error', () => {});
  return worker;
}
