/**
 * Webhooks in cluster mode: each finished callback job queues one delivery on BullMQ (job id `deliver-<job id>`, so
 * a job run twice after a worker died still has one delivery), delivered at least once with exponential back-off by
 * whichever worker node takes it. The delivery id header is the same on every attempt, so a receiver can drop
 * repeats. Webhook hosts are resolved inside the connection and private answers refused, as in single-process mode.
 */
import { Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { Agent, fetch } from 'undici';
import { guardedLookup } from '../../audio/fetch-url.ts';
import type { ServerMetrics } from '../metrics.ts';
import { parseHttpUrl } from '../url-policy.ts';
import { bullPrefix, redisUnavailable } from './redis.ts';

export const WEBHOOK_QUEUE = 'earshot-webhooks';

interface Delivery {
  jobId: string;
  url: string;
  body: Record<string, unknown>;
}

const deliveryId = (jobId: string) => `deliver-${jobId}`;

export class Webhooks {
  private readonly queue: Queue<Delivery>;

  constructor(
    connection: Redis,
    private readonly prefix: string,
    private readonly options: { attempts: number; backoffMs: number; retentionSeconds: number },
  ) {
    this.queue = new Queue(WEBHOOK_QUEUE, { connection, prefix: bullPrefix(prefix) });
    this.queue.on('error', () => {});
  }

  async enqueue(jobId: string, url: string, body: Record<string, unknown>): Promise<void> {
    await this.queue.add(
      'deliver',
      { jobId, url, body },
      {
        jobId: deliveryId(jobId),
        attempts: this.options.attempts,
        backoff: { type: 'exponential', delay: this.options.backoffMs },
        removeOnComplete: { age: this.options.retentionSeconds },
        removeOnFail: { age: this.options.retentionSeconds },
      },
    );
  }

  async state(jobId: string): Promise<{ delivered: boolean; attempts: number }> {
    try {
      const job = await Job.fromId<Delivery>(this.queue, deliveryId(jobId));
      if (!job) return { delivered: false, attempts: 0 };
      return { delivered: (await job.getState()) === 'completed', attempts: job.attemptsMade };
    } catch (e) {
      throw redisUnavailable(e);
    }
  }

  /** Delivers queued webhooks from this node. */
  startDelivery(
    connection: Redis,
    allowPrivateUrls: boolean,
    metrics: ServerMetrics,
    log: (fields: Record<string, unknown>, message: string) => void,
  ): { close(): Promise<void> } {
    const dispatcher = new Agent({ connect: { lookup: guardedLookup(allowPrivateUrls) } });
    const worker = new Worker<Delivery>(
      WEBHOOK_QUEUE,
      async (job) => {
        const { jobId, url, body } = job.data;
        const res = await fetch(parseHttpUrl(url, 'callback_url'), {
          dispatcher,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'earshot-webhook/1',
            'x-earshot-job-id': jobId,
            'x-earshot-delivery-id': job.id!,
          },
          body: JSON.stringify(body),
          redirect: 'error',
          signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (!res.ok) {
          metrics.webhooks.inc({ outcome: 'retry' });
          log({ job_id: jobId, attempt: job.attemptsMade + 1, status: res.status }, 'webhook failed, retrying');
          throw new Error(`HTTP ${res.status}`);
        }
        metrics.webhooks.inc({ outcome: 'delivered' });
        log({ job_id: jobId, attempt: job.attemptsMade + 1, status: res.status }, 'webhook delivered');
      },
      { connection, prefix: bullPrefix(this.prefix), concurrency: 8 },
    );
    worker.on('error', () => {});
    return {
      async close() {
        await worker.close();
        await dispatcher.close();
      },
    };
  }

  async close(): Promise<void> {
    await this.queue.close().catch(() => {});
  }
}
