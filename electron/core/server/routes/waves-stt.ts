/**
 * POST /waves/v1/stt/: the vendor's current speech-to-text endpoint, the one its public Python SDK (`smallestai`)
 * calls, served as an alias of /v1/listen so that SDK's base URL can point at `earshot serve`. Raw audio bytes (or
 * JSON `{url}`) with every option in the query (`model`, `language`, `word_timestamps`, `webhook_url`, ...), and its
 * `TranscriptionResponse` as the answer; with `webhook_url` the answer is `{status: "processing", request_id}` at
 * once and the result goes to the webhook as a callback job (pollable at GET /v1/jobs/{request_id}).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EarshotError } from '../../errors.ts';
import { readAudioRequest, requestBudget } from '../audio-request.ts';
import type { CallbackShape, RouteContext } from '../context.ts';
import { shapeCallback } from '../callback-shape.ts';
import { optionProperties, rejectNonStringJsonFields, resolveOptions } from '../listen-options.ts';
import { pulseResponse } from '../cloud-response.ts';
import { urlBodySchema } from './cloud-aliases.ts';
import { acceptCallbackJob, refuseWhenFull } from './listen.ts';

/** The vendor's language codes, including its auto-detecting `multi-*` groups (we detect the language for those). */
export const wavesLanguage = {
  type: 'string',
  minLength: 2,
  maxLength: 16,
  pattern: '^([A-Za-z]{2,3}(-[A-Za-z0-9]+)*|multi(-[a-z]+)?|auto)$',
} as const;

/** Features of the vendor's models that this server does not have: asking for them is refused, never ignored. */
export const UNSUPPORTED_FLAGS = ['redact_pii', 'redact_pci', 'emotion_detection', 'gender_detection'] as const;

interface WavesQuery {
  language?: string;
  punctuate?: boolean;
  word_timestamps?: boolean;
  diarize?: boolean;
  model?: string;
  webhook_url?: string;
  webhook_method?: 'GET' | 'POST';
  webhook_extra?: string;
  redact_pii?: boolean;
  redact_pci?: boolean;
  emotion_detection?: boolean;
  gender_detection?: boolean;
}

const querySchema = {
  type: 'object',
  properties: {
    language: wavesLanguage,
    punctuate: optionProperties.punctuate,
    word_timestamps: optionProperties.word_timestamps,
    diarize: optionProperties.diarize,
    // `pulse` or `pulse-pro` for the vendor; here the loaded model answers whichever is named.
    model: { type: 'string', maxLength: 32 },
    webhook_url: { type: 'string', minLength: 1, maxLength: 2048 },
    webhook_method: { type: 'string', enum: ['GET', 'POST'] },
    webhook_extra: { type: 'string', maxLength: 2048 },
    redact_pii: { type: 'boolean' },
    redact_pci: { type: 'boolean' },
    emotion_detection: { type: 'boolean' },
    gender_detection: { type: 'boolean' },
  },
} as const;

/** Refuses what we cannot do before any upload is read. */
export function refuseUnsupported(query: Partial<Record<(typeof UNSUPPORTED_FLAGS)[number], unknown>>): void {
  for (const flag of UNSUPPORTED_FLAGS) {
    const value = query[flag];
    if (value === true || (typeof value === 'string' && value !== '' && value !== 'false')) {
      throw new EarshotError(
        'INVALID_PARAMETER',
        `${flag} is not supported by this server; leave it out or send false`,
        {
          parameter: flag,
        },
      );
    }
  }
}

export function wavesSttRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const handler = async (request: FastifyRequest<{ Querystring: WavesQuery }>, reply: FastifyReply) => {
    const query = request.query;
    refuseUnsupported(query);
    if (query.webhook_method === 'GET') {
      throw new EarshotError('INVALID_PARAMETER', 'Webhooks are delivered with POST only', {
        parameter: 'webhook_method',
      });
    }
    if (query.webhook_url) {
      // The webhook's address is checked like a callback_url, before any upload is read.
      await ctx.transcriber.checkOptions({ ...resolveOptions(query), callback_url: query.webhook_url });
    }
    // The budget starts now and bounds the upload too (a stalled body gets 504 TIMEOUT).
    const budget = requestBudget(reply, ctx.config.requestTimeoutSeconds);
    const audio = await readAudioRequest(request, ctx, budget);
    const { input, options, cleanup } = audio;
    if (query.webhook_url) {
      options.callback_url = query.webhook_url;
      const extra = query.webhook_extra;
      const shape: CallbackShape = {
        kind: 'waves',
        ...(input.kind === 'url' ? { url: input.url } : {}),
        ...(extra ? { extra } : {}),
      };
      const job = await acceptCallbackJob(request, ctx, audio, shape, (jobId, t) =>
        shapeCallback(shape, jobId, t, options),
      );
      return { status: 'processing', request_id: job.job_id };
    }
    const lease = request.lease!;
    try {
      const t = await ctx.transcriber.transcribe(input, options, budget.signal, (s) => lease.recordAudio(s));
      const body = pulseResponse(t, input, options, 'label');
      const processingMs = Math.round(t.processingSeconds * 1000);
      return {
        ...body,
        request_id: request.id,
        metadata: {
          ...body.metadata,
          processing_time_ms: processingMs,
          rtfx: processingMs > 0 ? Math.round((t.duration / t.processingSeconds) * 100) / 100 : undefined,
        },
      };
    } catch (e) {
      throw budget.relabel(e);
    } finally {
      await cleanup();
    }
  };

  // The vendor's SDK calls the path with its trailing slash; curl users often leave it out.
  for (const path of ['/waves/v1/stt/', '/waves/v1/stt']) {
    app.post<{ Querystring: WavesQuery }>(
      path,
      {
        schema: { querystring: querySchema, body: { content: { 'application/json': { schema: urlBodySchema } } } },
        onRequest: [ctx.authenticate('authorize'), refuseWhenFull(ctx)],
        preValidation: rejectNonStringJsonFields,
        // The vendor answers an oversize upload with 413 (its SDK raises ContentTooLargeError for it); same body.
        onSend: async (_request, reply, payload) => {
          if (reply.statusCode === 422 && typeof payload === 'string' && payload.includes('"FILE_TOO_LARGE"')) {
            reply.code(413);
          }
          return payload;
        },
      },
      handler,
    );
  }
}
