/**
 * Builds the API server: one fastify instance, route plugins with their own schemas, and the cross-cutting parts
 * (request ids, JSON-lines logs with secrets redacted, the error mapping, metrics). `startServer` in index.ts adds the
 * model loading and the listening socket; tests and the desktop app can also use `buildApp` directly.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import multipart from '@fastify/multipart';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import { EarshotError } from '../errors.ts';
import { makeAuthHook } from './auth.ts';
import type { ServerConfig } from './config.ts';
import type { RouteContext } from './context.ts';
import { clientErrorResponse, isClientAbort, JSON_BODY_LIMIT, MULTIPART_LIMITS, toHttpError } from './http-errors.ts';
import { InferenceQueue } from './inference-queue.ts';
import { JobStore } from './jobs.ts';
import { redactingDestination } from './log-redaction.ts';
import { hostGuard } from './host-guard.ts';
import { ServerMetrics } from './metrics.ts';
import { cloudAliasRoutes } from './routes/cloud-aliases.ts';
import { healthRoutes } from './routes/health.ts';
import { jobRoutes } from './routes/jobs.ts';
import { listenRoutes } from './routes/listen.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { streamRoutes } from './routes/stream.ts';
import { wavesSttRoutes } from './routes/waves-stt.ts';
import { wavesSttLiveRoutes } from './routes/waves-stt-live.ts';
import type { ServerServices } from './services.ts';
import { Transcriber } from './transcriber.ts';

/** A client's X-Request-ID is kept when it is short and plain; otherwise we make one. */
export function acceptRequestId(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  if (value && /^[\w.:@-]{1,128}$/.test(value)) return value;
  return `req_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
}

/** Query options that are safe to log; any other value (a callback URL may embed a token) is redacted. */
const LOGGABLE_QUERY = new Set([
  'language',
  'punctuate',
  'timestamps',
  'word_timestamps',
  'diarize',
  'num_speakers',
  'sample_rate',
  'encoding',
  'model',
  'detailed',
]);

export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const params = new URLSearchParams(url.slice(at + 1));
  for (const [k] of params) if (!LOGGABLE_QUERY.has(k)) params.set(k, '[redacted]');
  return `${url.slice(0, at)}?${params.toString()}`;
}

function requestForLog(req: { method: string; url: string; ip?: string; socket?: { remoteAddress?: string } }) {
  return { method: req.method, url: redactUrl(req.url), remoteAddress: req.ip ?? req.socket?.remoteAddress };
}

export interface BuiltApp {
  app: FastifyInstance;
  context: RouteContext;
}

export async function buildApp(
  config: ServerConfig,
  services: ServerServices,
  options: { tmpDir: string; version: string; jobsDir?: string },
): Promise<BuiltApp> {
  const https =
    config.tlsCert && config.tlsKey
      ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) }
      : undefined;
  const app = Fastify({
    ...(https ? { https } : {}),
    logger: config.quiet
      ? false
      : {
          level: process.env.EARSHOT_LOG_LEVEL ?? 'info',
          stream: redactingDestination(),
          serializers: { req: requestForLog },
          redact: {
            paths: ['req.headers.authorization', 'headers.authorization', 'authorization', 'licenseKey', 'key'],
            censor: '[redacted]',
          },
        },
    genReqId: (req: IncomingMessage) => acceptRequestId(req.headers['x-request-id']),
    logController: new LogController({ requestIdLogLabel: 'request_id' }),
    // Routes enforce the request budget themselves (504 TIMEOUT, uploads included); Node's own timeout is only the
    // backstop for requests that never reach a route (headers trickling in).
    requestTimeout: (config.requestTimeoutSeconds + 30) * 1000,
    bodyLimit: JSON_BODY_LIMIT,
    return503OnClosing: true,
    clientErrorHandler(err: Error & { code?: string }, socket: import('node:net').Socket) {
      const response = clientErrorResponse(err, config.requestTimeoutSeconds);
      // Not after an answer has begun on this connection (Node's own rule): that would corrupt it.
      const answering = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
      if (response && socket.writable && !answering) socket.write(response);
      socket.destroy();
    },
    frameworkErrors(error: Error, request: FastifyRequest, reply: FastifyReply) {
      const mapped = toHttpError(error, {
        requestId: request.id,
        supportedFormats: services.audio.supportedFormats,
        maxSizeMb: config.maxSizeMb,
      });
      reply.code(mapped.status).headers(mapped.headers).send(mapped.body);
    },
  }) as unknown as FastifyInstance;

  const metrics = new ServerMetrics();
  const queue = new InferenceQueue(config.workers, config.queueSize);
  const transcriber = new Transcriber(config, services, queue, metrics);
  const jobs = new JobStore(
    {
      callbackAttempts: config.callbackAttempts,
      callbackBackoffMs: config.callbackBackoffMs,
      retentionSeconds: config.jobRetentionSeconds,
      allowPrivateUrls: config.allowPrivateUrls,
      dir: options.jobsDir,
      log: (fields, message) => app.log.info(fields, message),
    },
    metrics,
  );
  metrics.gauge('earshot_queue_depth', 'Requests waiting for an inference worker', () => queue.depth);
  metrics.gauge('earshot_active_transcriptions', 'Transcriptions running now', () => queue.active);
  metrics.gauge('earshot_active_jobs', 'Callback jobs not finished yet', () => jobs.active);
  metrics.gauge('earshot_queue_capacity', 'Requests allowed to wait', () => queue.capacity);
  metrics.gauge('earshot_model_ready', '1 when the model is loaded', () =>
    transcriber.state.status === 'ready' ? 1 : 0,
  );

  metrics.reference.read({
    activeRequests: () => queue.active,
    queueDepth: () => queue.depth,
    activeStreams: () => metrics.activeStreams,
  });

  const context: RouteContext = {
    config,
    services,
    transcriber,
    jobs,
    metrics,
    tmpDir: options.tmpDir,
    version: options.version,
    startedAt: Date.now(),
    authenticate: makeAuthHook(config.licenseKeys, services.license, metrics),
  };

  // Raw audio bodies are handed to the route as a stream, which writes them to a temp file under the size cap.
  const passStream = (_req: unknown, payload: unknown, done: (err: Error | null, body?: unknown) => void) =>
    done(null, payload);
  // Plain text is never audio: without its parser such bodies get 415 like any other unsupported type.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/octet-stream', passStream);
  // Parameters are allowed: browsers record `audio/webm;codecs=opus`, and some clients add `; charset=...`.
  app.addContentTypeParser(/^audio\/[\w.+-]+\s*(;.*)?$/i, passStream);
  app.addContentTypeParser(/^video\/[\w.+-]+\s*(;.*)?$/i, passStream);
  await app.register(multipart, { limits: { fileSize: config.maxSizeMb * 1024 * 1024, ...MULTIPART_LIMITS } });
  await app.register(websocket, {
    options: { maxPayload: 1024 * 1024 },
    // A socket error is the client's doing (over-size frame, reset): end the socket and note it, nothing failed here.
    errorHandler(error, socket, request) {
      request.log.info({ reason: error.message }, 'websocket closed on a client error');
      socket.terminate();
    },
  });

  if (config.guardHost) app.addHook('onRequest', hostGuard());
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.answered(route, request.method, reply.statusCode, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((error, request, reply) => {
    const mapped = toHttpError(error, {
      requestId: request.id,
      supportedFormats: services.audio.supportedFormats,
      maxSizeMb: config.maxSizeMb,
    });
    if (mapped.status >= 500 && mapped.status !== 503 && !isClientAbort(error)) {
      request.log.error({ err: error }, 'request failed');
    } else request.log.info({ code: mapped.body.code, status: mapped.status }, 'request refused');
    // Answered before the body was read to its end. A body of known, modest length is read and dropped by Node
    // after the answer, so a client still uploading gets the answer instead of a broken pipe (fetch and requests
    // report EPIPE/ECONNRESET, not the 4xx, when the socket closes under them). A slow body, one of unknown length
    // or one far over the upload cap is not worth reading: the connection closes.
    if (!request.raw.complete && !worthDraining(request, String(mapped.body.code), config.maxSizeMb)) {
      reply.header('connection', 'close');
    }
    reply.code(mapped.status).headers(mapped.headers).send(mapped.body);
  });
  app.setNotFoundHandler((request, reply) => {
    const e = new EarshotError('NOT_FOUND', `No endpoint ${request.method} ${request.url.split('?')[0]}`);
    reply.code(404).send(e.toJSON());
  });

  healthRoutes(app, context);
  listenRoutes(app, context);
  jobRoutes(app, context);
  cloudAliasRoutes(app, context);
  metricsRoutes(app, context);
  streamRoutes(app, context);
  wavesSttRoutes(app, context);
  wavesSttLiveRoutes(app, context);
  return { app, context };
}

/** Whether the unread rest of a refused request's body may be read and dropped (see the error handler). */
function worthDraining(request: FastifyRequest, code: string, maxSizeMb: number): boolean {
  if (code === 'TIMEOUT') return false;
  const declared = Number(request.headers['content-length']);
  return Number.isFinite(declared) && declared <= 2 * maxSizeMb * 1024 * 1024;
}
