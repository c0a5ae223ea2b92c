/** GET /metrics: Prometheus text format (auth required like every endpoint but health). */
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../context.ts';

export function metricsRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/metrics', { onRequest: ctx.authenticate('verify') }, async (_request, reply) => {
    for (const u of await ctx.services.license.usage()) {
      ctx.metrics.quotaUsed.set({ license: u.licenseId }, u.audioSecondsToday);
      ctx.metrics.quotaLimit.set({ license: u.licenseId }, u.audioSecondsPerDay);
    }
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    return ctx.metrics.render();
  });
}
