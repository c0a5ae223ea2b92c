/** GET /v1/jobs/{id}: poll a callback job (visible only to the license key that created it). */
import type { FastifyInstance } from 'fastify';
import { EarshotError } from '../../errors.ts';
import type { RouteContext } from '../context.ts';

export function jobRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get<{ Params: { id: string } }>(
    '/v1/jobs/:id',
    {
      schema: { params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } } } },
      onRequest: ctx.authenticate('verify'),
    },
    async (request) => {
      if (ctx.cluster) {
        const view = await ctx.cluster.jobView(request.params.id, request.licenseKey!);
        if (!view) throw new EarshotError('NOT_FOUND', `No job ${request.params.id}`);
        return view;
      }
      const job = ctx.jobs.get(request.params.id, request.licenseKey!);
      if (!job) throw new EarshotError('NOT_FOUND', `No job ${request.params.id}`);
      return ctx.jobs.view(job);
    },
  );
}
