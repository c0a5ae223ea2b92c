/**
 * Health without auth: GET /health (and the chart's /healthz and /api/v1/health). 200 `{"status":"healthy"}` once
 * the model is loaded, 503 `{"status":"unhealthy","reason"}` before; `?detailed=true` adds components, uptime, version.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteContext } from '../context.ts';

export function healthRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const schema = { querystring: { type: 'object', properties: { detailed: { type: 'boolean' } } } };

  const handler = async (request: FastifyRequest<{ Querystring: { detailed?: boolean } }>, reply: FastifyReply) => {
    const state = ctx.transcriber.state;
    const healthy = state.status === 'ready';
    const body: Record<string, unknown> = { status: healthy ? 'healthy' : 'unhealthy' };
    if (!healthy) {
      body.reason =
        state.status === 'loading'
          ? 'No ASR workers available: the model is loading'
          : // The reason names files on this machine; /health answers anyone, so it stays in the server's log.
            'The model failed to load (the reason is in the server log)';
    }
    // The Helm chart's readiness probe looks for "true" in the /healthz body.
    if (request.url.startsWith('/healthz')) body.ready = healthy;
    if (request.query.detailed) {
      // usage() lists the configured keys that are valid licenses right now (one may have expired since start).
      const validLicenses = (await ctx.services.license.usage()).length;
      body.components = {
        api_server: 'healthy',
        asr: healthy ? 'healthy' : state.status === 'loading' ? 'loading' : 'unhealthy',
        license: validLicenses > 0 ? 'healthy' : 'unhealthy',
        queue: ctx.transcriber.queue.full ? 'full' : 'healthy',
      };
      if (state.status === 'ready') {
        body.model = {
          id: state.loaded.id,
          family: state.loaded.model.family,
          device: state.loaded.model.device.label,
          languages: state.loaded.model.languages,
        };
      }
      body.queue = {
        depth: ctx.transcriber.queue.depth,
        capacity: ctx.transcriber.queue.capacity,
        active: ctx.transcriber.queue.active,
        workers: ctx.transcriber.queue.workers,
      };
      body.uptime_seconds = Math.round((Date.now() - ctx.startedAt) / 1000);
      body.version = ctx.version;
    }
    reply.code(healthy ? 200 : 503);
    if (!healthy) reply.header('retry-after', '5');
    return body;
  };

  for (const path of ['/health', '/healthz', '/api/v1/health']) app.get(path, { schema }, handler);
}
