/** What every route plugin receives: the config and the shared services, built once in app.ts. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthMode } from './auth.ts';
import type { ServerConfig } from './config.ts';
import type { JobStore } from './jobs.ts';
import type { ServerMetrics } from './metrics.ts';
import type { ServerServices } from './services.ts';
import type { AudioInput, ListenOptions, Transcriber } from './transcriber.ts';

export interface RouteContext {
  config: ServerConfig;
  services: ServerServices;
  transcriber: Transcriber;
  jobs: JobStore;
  metrics: ServerMetrics;
  /** Folder for uploads in flight. */
  tmpDir: string;
  version: string;
  startedAt: number;
  authenticate: (mode: AuthMode) => (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** Cluster mode only (cluster/index.ts): callback jobs and their records live in Redis. */
  cluster?: ClusterHooks;
}

/**
 * How a callback job's result is shaped (callback-shape.ts): /v1/listen's answer, or the vendor's for POST
 * /waves/v1/stt/ (`url`: the request's audio URL, if it named one, for the answer's metadata.filename).
 */
export type CallbackShape = { kind: 'listen' } | { kind: 'waves'; url?: string; extra?: string };

export interface ClusterHooks {
  acceptCallback(
    request: FastifyRequest,
    audio: { input: AudioInput; options: ListenOptions; cleanup: () => Promise<void> },
    shape: CallbackShape,
  ): Promise<{ job_id: string }>;
  jobView(id: string, key: string): Promise<Record<string, unknown> | undefined>;
  /**
   * Throws the full queue's 503 when the cluster's backlog is at its cap (before an upload is read); otherwise the
   * request holds a backlog slot until its job is taken or the request ends.
   */
  refuseWhenFull(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}
