/**
 * GET /metrics: Prometheus text format. It names every configured license id and its use, so it is guarded more
 * tightly than the API: with EARSHOT_METRICS_TOKEN set, only `Authorization: Bearer <that token>` reads it (from any
 * address, for a scraper elsewhere); without one, only loopback clients with a license key do, and everyone else
 * is told there is no such endpoint.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EarshotError } from '../../errors.ts';
import { parseAuthorization } from '../auth.ts';
import type { RouteContext } from '../context.ts';

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.replace(/^::ffff:/i, '');
  return /^127\.\d+\.\d+\.\d+$/.test(v4) || address === '::1';
}

function metricsGuard(ctx: RouteContext) {
  const withKey = ctx.authenticate('verify');
  return async function guardMetrics(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const token = ctx.config.metricsToken;
    if (token) {
      const presented = parseAuthorization(request.headers.authorization);
      if (!presented || !ctx.services.license.safeEqual(presented, token)) {
        ctx.metrics.failedAuth.inc({ reason: 'metrics_token' });
        throw new EarshotError('INVALID_LICENSE', 'Invalid or missing metrics token');
      }
      return;
    }
    if (!isLoopback(request.ip)) throw new EarshotError('NOT_FOUND', `No endpoint ${request.method} /metrics`);
    await withKey(request, reply);
  };
}

export function metricsRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/metrics', { onRequest: metricsGuard(ctx) }, async (_request, reply) => {
    for (const u of await ctx.services.license.usage()) {
      ctx.metrics.quotaUsed.set({ license: u.licenseId }, u.audioSecondsToday);
      ctx.metrics.quotaLimit.set({ license: u.licenseId }, u.audioSecondsPerDay);
    }
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    return ctx.metrics.render();
  });
}
