/**
 * Cluster mode (`earshot serve --redis URL --role api|worker|all`): the same server, with its queue, limits, jobs and
 * webhooks in Redis through BullMQ, so that API nodes and worker nodes on several machines act as one service.
 * Without --redis none of this is loaded. The hooks into the single-process server are few: the transcriber's
 * remote path, the license gate, the callback-job and job-view hooks in the route context, and extra health routes.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { EarshotError } from '../../errors.ts';
import type { LicenseService } from '../../license/index.ts';
import type { BuiltApp } from '../app.ts';
import type { ServerConfig } from '../config.ts';
import type { ServerServices } from '../services.ts';
import type { ClusterHooks } from '../context.ts';
import type { ServerExtension } from '../index.ts';
import type { ModelRunner } from '../model-threads.ts';
import { Backlog } from './backlog.ts';
import { JobDispatcher, startJobWorker, startLiveWorker } from './jobs.ts';
import { type ClusterLease, ClusterLimits, clusterLicenseGate } from './limits.ts';
import { assertNoEviction, blockingConnection, connected, redisUnavailable, requestConnection } from './redis.ts';
import { syncRevocations } from './revocations.ts';
import { Webhooks } from './webhooks.ts';

export type ClusterRole = 'api' | 'worker' | 'all';

export interface ClusterOptions {
  redisUrl: string;
  role: ClusterRole;
  /** Folder shared by every node (a shared volume) where uploads wait for their worker. */
  blobDir: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** This request's slot in the cluster's backlog (backlog.ts). */
    backlogSlot?: string;
  }
}

const PREFIX = 'earshot:';
/** A worker node counts as alive while it has checked in within this long. */
const ALIVE_MS = 5000;

interface WorkerInfo {
  id: string;
  family: ModelRunner['family'];
  name: string;
  device: ModelRunner['device'];
  languages: string[];
}

/** The model as an API node knows it: what the workers hold. It runs nothing here. */
function remoteModel(info: WorkerInfo): ModelRunner {
  return {
    ...info,
    async run() {
      // Never called: an API node sends requests and live windows to worker nodes through the queue.
      throw new EarshotError('INTERNAL_ERROR', 'This API node holds no model');
    },
    async dispose() {},
  };
}

/**
 * Connects to Redis (refusing one that may evict keys) and puts the cluster's license limits into `services`, before
 * the server is built; `attach` then wires the rest into the built server before it listens.
 */
export async function connectCluster(
  cluster: ClusterOptions,
  config: ServerConfig,
  services: ServerServices,
  license: LicenseService,
): Promise<{ attach(built: BuiltApp): Promise<ServerExtension> }> {
  const request = requestConnection(cluster.redisUrl);
  try {
    await connected(request);
    await assertNoEviction(request);
  } catch (e) {
    request.disconnect();
    throw e;
  }
  await fs.mkdir(cluster.blobDir, { recursive: true });
  // Limits for the whole cluster; the slot of a request whose node died expires after the request budget.
  const limits = new ClusterLimits(request, PREFIX);
  services.license = clusterLicenseGate(
    services.license,
    license,
    limits,
    config.requestTimeoutSeconds * 1000,
    () => config.licenseKeys,
  );
  return { attach: (built) => attachCluster(built, cluster, license, { request, limits }) };
}

async function attachCluster(
  built: BuiltApp,
  cluster: ClusterOptions,
  license: LicenseService,
  redis: { request: Redis; limits: ClusterLimits },
): Promise<ServerExtension> {
  const { app, context } = built;
  const { config, transcriber } = context;
  const { request } = redis;
  const connections: Redis[] = [request];
  const closers: (() => Promise<void> | void)[] = [];
  const nodeId = `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const revocations = syncRevocations(request, PREFIX, license, (m) => app.log.info(m));
  closers.push(() => revocations.close());

  const webhookOptions = {
    attempts: config.callbackAttempts,
    backoffMs: config.callbackBackoffMs,
    retentionSeconds: config.jobRetentionSeconds,
  };
  const webhooks = new Webhooks(request, PREFIX, webhookOptions);
  closers.push(() => webhooks.close());

  const works = cluster.role !== 'api';
  // Every connection is closed at the end (BullMQ leaves connections it was given open), or the process stays up.
  const connection = () => {
    const c = blockingConnection(cluster.redisUrl);
    connections.push(c);
    return c;
  };
  const dispatcher = new JobDispatcher(request, connection, PREFIX, cluster.blobDir, config);
  closers.push(() => dispatcher.close());

  // Requests are served through the queue on every node (so limits, jobs and webhooks are the cluster's). The
  // request is kept in async context so the transcriber's remote path can hand the request's license to the job.
  const requests = new AsyncLocalStorage<FastifyRequest>();
  // preHandler, the last hook before the route: body parsers may run outside the request's async context.
  app.addHook('preHandler', (req, _reply, done) => requests.run(req, done));
  transcriber.remote = (input, options, signal) => {
    const lease = requests.getStore()?.lease as ClusterLease | undefined;
    if (!lease?.ticket) throw new EarshotError('INTERNAL_ERROR', 'No license lease for a queued request');
    return dispatcher.transcribe(input, options, lease.ticket, signal, requests.getStore()?.backlogSlot);
  };
  // A node without a model serves live streams too: the socket stays here, each window runs on a worker node.
  if (!works)
    transcriber.remoteSamples = (samples, options, signal) => dispatcher.transcribeSamples(samples, options, signal);
  const alive = async (): Promise<number> => {
    const since = Date.now() - ALIVE_MS;
    return request.zcount(`${PREFIX}workers`, since, '+inf');
  };
  const hooks: ClusterHooks = {
    async acceptCallback(req, audio, shape) {
      const lease = req.lease as ClusterLease;
      try {
        // URL inputs are fetched here: the job carries a file in the blob folder, never the URL's own risks.
        const file = await transcriber.fetchInput(
          audio.input,
          AbortSignal.timeout(config.requestTimeoutSeconds * 1000),
        );
        try {
          const jobId = await dispatcher.accept(
            file,
            audio.options,
            lease.ticket,
            req.licenseKey!,
            shape,
            req.backlogSlot,
          );
          req.lease = undefined; // the worker that ends the job frees its slot
          req.backlogSlot = undefined; // and the worker that takes it, its backlog slot
          return { job_id: jobId };
        } finally {
          if (audio.input.kind === 'url') await fs.rm(file.path, { force: true });
        }
      } finally {
        await audio.cleanup();
      }
    },
    jobView: (id, key) => dispatcher.view(id, key, webhooks),
    async refuseWhenFull(req, reply) {
      // A live stream queues no job: it is only refused while the backlog is full.
      if (req.headers.upgrade?.toLowerCase() === 'websocket') return dispatcher.admit(undefined, alive);
      const slot = randomBytes(10).toString('hex');
      await dispatcher.admit(slot, alive);
      req.backlogSlot = slot;
      // 'close' fires whether the response finished or the client went away; a callback job takes the slot over.
      reply.raw.once('close', () => {
        if (req.backlogSlot === slot) dispatcher.backlog.release(slot).catch(() => {});
      });
    },
  };
  context.cluster = hooks;
  // For autoscaling workers: the cluster's backlog, not this node's.
  context.metrics.reference.read({
    queueDepth: () => dispatcher.queue.getWaitingCount().catch(() => 0),
    streamQueueDepth: () => dispatcher.liveWaiting(),
  });

  if (cluster.role === 'worker') {
    // Worker nodes answer probes, metrics and live streams (they hold the model); requests go to API nodes.
    app.addHook('onRequest', async (req) => {
      const url = req.url.split('?')[0];
      if (/^\/(health|healthz|metrics)(\/|$)|\/stream|\/live/.test(url)) return;
      throw new EarshotError(
        'NOT_FOUND',
        `No endpoint ${req.method} ${url} on a worker node: send requests to an API node`,
      );
    });
  }

  // The reference's component probes.
  app.get('/health/redis', async (_req, reply) => {
    try {
      await request.ping();
      return { status: 'healthy' };
    } catch {
      reply.code(503).header('retry-after', '5');
      return { status: 'unhealthy', reason: 'Redis cannot be reached' };
    }
  });
  app.get('/health/asr', async (_req, reply) => {
    const workers = await alive().catch(() => -1);
    const healthy = workers > 0 || (works && transcriber.state.status === 'ready');
    if (!healthy) reply.code(503).header('retry-after', '5');
    return { status: healthy ? 'healthy' : 'unhealthy', workers: Math.max(0, workers) };
  });
  app.get('/health/license', async (_req, reply) => {
    const valid = (await context.services.license.usage()).length;
    if (valid === 0) reply.code(503);
    return { status: valid > 0 ? 'healthy' : 'unhealthy', valid_licenses: valid };
  });

  let ready: Promise<void> | undefined;
  if (!works) {
    // An API node is ready once some worker has said which model it holds (language checks need it).
    ready = new Promise<void>((resolve) => {
      const look = async () => {
        const text = await request.get(`${PREFIX}model`).catch(() => null);
        if (text) {
          transcriber.state = {
            status: 'ready',
            loaded: { id: (JSON.parse(text) as WorkerInfo).id, model: remoteModel(JSON.parse(text)) },
          };
          resolve();
        } else setTimeout(look, 500).unref();
      };
      void look();
    });
  }

  return {
    loadsModel: works,
    ready,
    started(modelReady) {
      if (!works) return;
      // A worker node takes jobs once its model is loaded, and says which model it holds.
      modelReady.then(
        async () => {
          if (transcriber.state.status !== 'ready') return;
          const { id, model } = transcriber.state.loaded;
          const info: WorkerInfo = {
            id,
            family: model.family,
            name: model.name,
            device: model.device,
            languages: model.languages,
          };
          const checkIn = async () => {
            await request.set(`${PREFIX}model`, JSON.stringify(info));
            await request.zadd(`${PREFIX}workers`, Date.now(), nodeId);
          };
          await checkIn().catch(() => {});
          const timer = setInterval(() => void checkIn().catch(() => {}), 1500);
          timer.unref();
          closers.push(() => clearInterval(timer));
          // The job side's Redis commands wait for Redis while it is away (the request side's fail at once, as
          // 503s): a job that was accepted must still charge, queue its webhook and complete once Redis is back.
          const patient = connection();
          const jobWebhooks = new Webhooks(patient, PREFIX, webhookOptions);
          closers.push(() => jobWebhooks.close());
          const worker = startJobWorker({
            connection: connection(),
            prefix: PREFIX,
            blobDir: cluster.blobDir,
            config,
            transcriber,
            limits: new ClusterLimits(patient, PREFIX),
            backlog: new Backlog(patient, PREFIX),
            webhooks: jobWebhooks,
            log: (f, m) => app.log.info(f, m),
          });
          const live = startLiveWorker({ connection: connection(), prefix: PREFIX, config, transcriber });
          closers.unshift(() => live.close());
          const delivery = webhooks.startDelivery(connection(), config.allowPrivateUrls, context.metrics, (f, m) =>
            app.log.info(f, m),
          );
          closers.unshift(async () => {
            await worker.close();
            await delivery.close();
            await request.zrem(`${PREFIX}workers`, nodeId).catch(() => {});
          });
        },
        () => {},
      );
    },
    async close() {
      // In-flight jobs finish first; but a Redis that is away must not hold the shutdown forever.
      for (const close of closers) await withinMs(Promise.resolve().then(close), 30_000);
      for (const c of connections) c.disconnect();
    },
  };
}

export { redisUnavailable };

function withinMs(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work.then(
      () => {},
      () => {},
    ),
    new Promise<void>((r) => {
      timer = setTimeout(r, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
