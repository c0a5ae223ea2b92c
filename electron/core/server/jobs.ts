/**
 * Callback (async) jobs: `/v1/listen` with `callback_url` answers `{job_id, status:"processing"}` at once, the work
 * runs in the background, and the outcome is POSTed to the callback as `{job_id, status, result | error}`, retried
 * with exponential back-off. Jobs stay pollable at GET /v1/jobs/{id} (by the key that created them) for a while.
 * With a folder, every job record is written atomically on each change, so jobs survive a restart: finished ones stay
 * pollable, and ones that were still running when the server stopped are failed and their callback told so.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Agent, fetch } from 'undici';
import { guardedLookup, type Resolver } from '../audio/fetch-url.ts';
import { errorBody } from '../errors.ts';
import { readJson, writeJsonAtomic } from '../fs-atomic.ts';
import { withRetries } from '../retry.ts';
import type { ServerMetrics } from './metrics.ts';
import { parseHttpUrl } from './url-policy.ts';

export type JobStatus = 'processing' | 'completed' | 'failed';

export interface Job {
  job_id: string;
  status: JobStatus;
  created_at: string;
  completed_at?: string;
  result?: unknown;
  error?: Record<string, unknown>;
  callback: { url: string; delivered: boolean; attempts: number; last_error?: string };
  /** Hash of the license key that created the job; only that key may poll it. */
  owner: string;
}

export interface JobStoreOptions {
  callbackAttempts: number;
  callbackBackoffMs: number;
  retentionSeconds: number;
  allowPrivateUrls: boolean;
  /** Where job records are kept; undefined keeps them in memory only. */
  dir?: string;
  /** Called with JSON-safe facts about each delivery (logged by the server). */
  log: (fields: Record<string, unknown>, message: string) => void;
  /** Name resolution for webhook hosts (default: the system's). */
  resolve?: Resolver;
}

export function ownerOf(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export class JobStore {
  private readonly jobs = new Map<string, Job>();
  private readonly deliveries = new Set<Promise<void>>();
  /** One write chain per job, so records land in the order of their changes. */
  private readonly writes = new Map<string, Promise<void>>();
  private sweeper: NodeJS.Timeout;
  /**
   * Webhook connections resolve their host once, inside the connection, and refuse private answers there: the address
   * checked is the address connected to, so DNS cannot answer "public" to a check and "private" to the connection.
   */
  private readonly dispatcher: Agent;

  constructor(
    private readonly options: JobStoreOptions,
    private readonly metrics: ServerMetrics,
  ) {
    this.dispatcher = new Agent({ connect: { lookup: guardedLookup(options.allowPrivateUrls, options.resolve) } });
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  get active(): number {
    let n = 0;
    for (const j of this.jobs.values()) if (j.status === 'processing') n++;
    return n;
  }

  create(callbackUrl: string, key: string): Job {
    const job: Job = {
      job_id: `job_${randomUUID().replace(/-/g, '').slice(0, 20)}`,
      status: 'processing',
      created_at: new Date().toISOString(),
      callback: { url: callbackUrl, delivered: false, attempts: 0 },
      owner: ownerOf(key),
    };
    this.jobs.set(job.job_id, job);
    this.persist(job);
    return job;
  }

  /**
   * Loads the records of an earlier run. Jobs that were still processing cannot be resumed (their upload or the
   * partial work is gone): they are marked failed and their callback is told.
   */
  async restore(): Promise<number> {
    const dir = this.options.dir;
    if (!dir) return 0;
    await fs.mkdir(dir, { recursive: true });
    let restored = 0;
    for (const name of await fs.readdir(dir)) {
      if (!/^job_[0-9a-f]{20}\.json$/.test(name)) continue;
      const job = await readJson<Job | undefined>(path.join(dir, name), undefined).catch(() => undefined);
      if (!job || typeof job.job_id !== 'string' || !job.callback) continue;
      this.jobs.set(job.job_id, job);
      restored++;
      if (job.status === 'processing') {
        this.finish(job, 'failed', {
          error: { error: 'The server restarted before the job finished; submit it again', code: 'INTERNAL_ERROR' },
        });
        this.track(this.deliver(job));
      } else if (!job.callback.delivered && job.callback.attempts < this.options.callbackAttempts) {
        this.track(this.deliver(job));
      }
    }
    this.sweep();
    return restored;
  }

  get(id: string, key: string): Job | undefined {
    const job = this.jobs.get(id);
    return job && job.owner === ownerOf(key) ? job : undefined;
  }

  /** The public view of a job (no owner hash, no callback internals beyond delivery state). */
  view(job: Job): Record<string, unknown> {
    const { owner: _owner, callback, ...rest } = job;
    return { ...rest, callback_delivered: callback.delivered, callback_attempts: callback.attempts };
  }

  /** Runs `work` in the background, records its outcome and delivers the webhook. */
  start(job: Job, work: () => Promise<unknown>): void {
    const delivery = work()
      .then(
        (result) => this.finish(job, 'completed', { result }),
        (e: unknown) => {
          return this.finish(job, 'failed', { error: errorBody(e) });
        },
      )
      .then(() => this.deliver(job));
    this.track(delivery);
  }

  private track(work: Promise<void>): void {
    const tracked = work.finally(() => this.deliveries.delete(tracked));
    this.deliveries.add(tracked);
  }

  private persist(job: Job): void {
    const dir = this.options.dir;
    if (!dir) return;
    const file = path.join(dir, `${job.job_id}.json`);
    const snapshot = structuredClone(job);
    const previous = this.writes.get(job.job_id) ?? Promise.resolve();
    const next = previous
      .then(() => writeJsonAtomic(file, snapshot, 0o600))
      .catch((e: unknown) => this.options.log({ job_id: job.job_id, error: String(e) }, 'job record not saved'));
    this.writes.set(job.job_id, next);
    next.then(() => {
      if (this.writes.get(job.job_id) === next) this.writes.delete(job.job_id);
    });
  }

  /** Resolves once the job's latest state is on disk: a job is only promised to a client after that. */
  persisted(jobId: string): Promise<void> {
    return this.writes.get(jobId) ?? Promise.resolve();
  }

  /** Waits for every background job and webhook delivery (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.deliveries.size) await Promise.allSettled([...this.deliveries]);
    await Promise.allSettled([...this.writes.values()]);
    clearInterval(this.sweeper);
    await this.dispatcher.close();
  }

  private finish(job: Job, status: JobStatus, outcome: { result?: unknown; error?: Record<string, unknown> }): void {
    job.status = status;
    job.completed_at = new Date().toISOString();
    if (outcome.result !== undefined) job.result = outcome.result;
    if (outcome.error) job.error = outcome.error;
    this.persist(job);
  }

  private async deliver(job: Job): Promise<void> {
    const body = JSON.stringify(
      job.status === 'completed'
        ? { job_id: job.job_id, status: job.status, result: job.result }
        : { job_id: job.job_id, status: job.status, error: job.error },
    );
    const attempts = this.options.callbackAttempts;
    const delivered = await withRetries(
      async (attempt) => {
        job.callback.attempts = attempt;
        try {
          const url = parseHttpUrl(job.callback.url, 'callback_url');
          const res = await fetch(url, {
            dispatcher: this.dispatcher,
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'user-agent': 'earshot-webhook/1',
              'x-earshot-job-id': job.job_id,
            },
            body,
            redirect: 'error',
            signal: AbortSignal.timeout(10_000),
          });
          await res.arrayBuffer().catch(() => undefined);
          if (res.ok) {
            job.callback.delivered = true;
            this.persist(job);
            this.metrics.webhooks.inc({ outcome: 'delivered' });
            this.options.log({ job_id: job.job_id, attempt, status: res.status }, 'webhook delivered');
            return true;
          }
          job.callback.last_error = `HTTP ${res.status}`;
        } catch (e) {
          // fetch reports "fetch failed" and keeps the reason (refused, private address...) in `cause`.
          const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : '';
          job.callback.last_error = `${e instanceof Error ? e.message : String(e)}${cause}`;
        }
        this.metrics.webhooks.inc({ outcome: 'retry' });
        this.options.log(
          { job_id: job.job_id, attempt, error: job.callback.last_error },
          attempt < attempts ? 'webhook failed, retrying' : 'webhook failed, giving up',
        );
        throw new Error(job.callback.last_error);
      },
      { retries: attempts - 1, baseMs: this.options.callbackBackoffMs },
    ).catch(() => false);
    if (delivered) return;
    this.persist(job);
    this.metrics.webhooks.inc({ outcome: 'failed' });
  }

  private sweep(): void {
    const cutoff = Date.now() - this.options.retentionSeconds * 1000;
    for (const [id, job] of this.jobs) {
      if (job.completed_at && Date.parse(job.completed_at) < cutoff) {
        this.jobs.delete(id);
        if (this.options.dir) void fs.rm(path.join(this.options.dir, `${id}.json`), { force: true });
      }
    }
  }
}
