/** POST /v1/listen: synchronous transcription, or an async job when `callback_url` is given. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type AudioRequest, readAudioRequest, requestBudget, timeoutAware } from '../audio-request.ts';
import type { CallbackShape, RouteContext } from '../context.ts';
import type { Job } from '../jobs.ts';
import { jsonBodySchema, optionsSchema, rejectNonStringJsonFields } from '../listen-options.ts';
import { listenResponse, type Transcript } from '../transcriber.ts';

export function listenRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { transcriber, config } = ctx;

  app.post(
    '/v1/listen',
    {
      schema: {
        querystring: optionsSchema,
        body: { content: { 'application/json': { schema: jsonBodySchema } } },
      },
      onRequest: [ctx.authenticate('authorize'), refuseWhenFull(ctx)],
      preValidation: rejectNonStringJsonFields,
    },
    async (request: FastifyRequest, reply: FastifyReply) => {
      const budget = requestBudget(reply, config.requestTimeoutSeconds);
      const { input, options, cleanup } = await readAudioRequest(request, ctx, budget);
      const lease = request.lease!;

      if (options.callback_url) {
        const job = await acceptCallbackJob(request, ctx, { input, options, cleanup }, { kind: 'listen' }, (jobId, t) =>
          listenResponse(jobId, t, options),
        );
        return { job_id: job.job_id, status: 'processing' };
      }

      try {
        const t = await transcriber.transcribe(input, options, budget.signal, (s) => lease.recordAudio(s));
        return listenResponse(request.id, t, options);
      } catch (e) {
        throw budget.relabel(e);
      } finally {
        await cleanup();
      }
    },
  );
}

/**
 * Starts a callback job for `audio` (its options name the callback) and resolves with the job once its record is on
 * disk; `shape` turns the finished transcript into the job's result. The job takes the request's license lease over.
 */
export async function acceptCallbackJob(
  request: FastifyRequest,
  ctx: RouteContext,
  audio: AudioRequest,
  /** How the result is shaped: described (for a cluster worker, callback-shape.ts), and here in this process. */
  shape: CallbackShape,
  shapeHere: (jobId: string, t: Transcript) => unknown,
): Promise<Pick<Job, 'job_id'>> {
  if (ctx.cluster) return ctx.cluster.acceptCallback(request, audio, shape);
  const { transcriber, jobs, config } = ctx;
  const { input, options, cleanup } = audio;
  const lease = request.lease!;
  // Admission is checked and the work queued in the same tick, so an accepted job is never refused later.
  if (transcriber.queue.full) {
    await cleanup();
    throw transcriber.queue.unavailable();
  }
  const job = jobs.create(options.callback_url!, request.licenseKey!);
  request.lease = undefined; // the job owns the lease now and releases it when done
  const budget = AbortSignal.timeout(config.requestTimeoutSeconds * 1000);
  const work = transcriber.transcribe(input, options, budget, (s) => lease.recordAudio(s), true);
  jobs.start(job, async () => {
    try {
      return shapeHere(job.job_id, await work);
    } catch (e) {
      throw timeoutAware(e, () => budget.aborted, config.requestTimeoutSeconds);
    } finally {
      lease.release();
      await cleanup();
    }
  });
  // Answer only once the record is on disk, so a crash right after the answer still knows the job (and tells
  // its callback that it failed) instead of losing it.
  await jobs.persisted(job.job_id);
  request.log.info({ job_id: job.job_id }, 'job accepted');
  return job;
}

/** Sheds load before an upload is read: a full queue answers 503 at once. */
export function refuseWhenFull(ctx: RouteContext) {
  return async function refuseWhenQueueFull(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    ctx.transcriber.readyModel();
    if (ctx.transcriber.queue.full) throw ctx.transcriber.queue.unavailable();
    await ctx.cluster?.refuseWhenFull(request, reply);
  };
}
