/**
 * The cloud-style endpoints that the self-host package's own test script and client routers call:
 * POST /api/v1/lightning/get_text and POST /waves/v1/pulse/get_text. Raw bytes (or JSON `{url}`) with options in the
 * query; the answer uses the cloud shape `{status, transcription, words, utterances, metadata}`.
 */
import type { FastifyInstance } from 'fastify';
import { EarshotError } from '../../errors.ts';
import { readAudioRequest, requestBudget } from '../audio-request.ts';
import { pulseResponse } from '../cloud-response.ts';
import type { RouteContext } from '../context.ts';
import { optionProperties, rejectNonStringJsonFields } from '../listen-options.ts';
import { refuseWhenFull } from './listen.ts';

const querySchema = {
  type: 'object',
  properties: {
    ...optionProperties,
    model: { type: 'string', maxLength: 32 },
    webhook_url: { type: 'string', maxLength: 2048 },
    age_detection: { type: 'boolean' },
    gender_detection: { type: 'boolean' },
    emotion_detection: { type: 'boolean' },
  },
} as const;

/** A JSON body names the audio by URL; the options stay in the query. */
export const urlBodySchema = {
  type: 'object',
  required: ['url'],
  properties: { url: { type: 'string', minLength: 1, maxLength: 4096 } },
} as const;

export function cloudAliasRoutes(app: FastifyInstance, ctx: RouteContext): void {
  for (const path of ['/api/v1/lightning/get_text', '/waves/v1/pulse/get_text']) {
    const lightning = path.includes('lightning');
    app.post<{ Querystring: { webhook_url?: string } }>(
      path,
      {
        schema: { querystring: querySchema, body: { content: { 'application/json': { schema: urlBodySchema } } } },
        onRequest: [ctx.authenticate('authorize'), refuseWhenFull(ctx)],
        preValidation: rejectNonStringJsonFields,
      },
      async (request, reply) => {
        if (request.query.webhook_url) {
          throw new EarshotError(
            'INVALID_PARAMETER',
            'webhook_url is not supported here; use POST /v1/listen with callback_url',
            {
              parameter: 'webhook_url',
            },
          );
        }
        const budget = requestBudget(reply, ctx.config.requestTimeoutSeconds);
        const { input, options, cleanup } = await readAudioRequest(request, ctx, budget);
        const lease = request.lease!;
        try {
          const t = await ctx.transcriber.transcribe(input, options, budget.signal, (s) => lease.recordAudio(s));
          const body = pulseResponse(t, input, options, lightning ? 'label' : 'index');
          // The Lightning (v4.0.0) name for the words array, read by the self-host test script.
          return lightning ? { ...body, word_timestamps: body.words } : body;
        } catch (e) {
          throw budget.relabel(e);
        } finally {
          await cleanup();
        }
      },
    );
  }
}
