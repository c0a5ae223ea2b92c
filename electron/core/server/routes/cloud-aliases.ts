/**
 * The cloud-style endpoints that the self-host package's own test script and client routers call:
 * POST /api/v1/lightning/get_text and POST /waves/v1/pulse/get_text. Raw bytes (or JSON `{url}`) with options in the
 * query; the answer uses the cloud shape `{status, transcription, words, utterances, metadata}`.
 */
import type { FastifyInstance } from 'fastify';
import { EarshotError } from '../../errors.ts';
import { readAudioRequest, requestBudget } from '../audio-request.ts';
import type { RouteContext } from '../context.ts';
import { optionProperties, rejectNonStringJsonFields } from '../listen-options.ts';
import { type AudioInput, type ListenOptions, shapeWords, stripPunctuation, type Transcript } from '../transcriber.ts';
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

/**
 * How a diarized answer names speakers: 0-based integers (`index`, the Pulse get_text documentation) or `speaker_0`
 * strings (`label`: Lightning v4.0.0, and the `speaker: str` of the smallestai SDK's Word and Utterance).
 */
export type CloudSpeakerStyle = 'index' | 'label';

/**
 * The cloud (Pulse) answer `{status, transcription, words, utterances, metadata}`, shared with /waves/v1/stt/. With
 * diarize, each word and utterance has its `speaker`; without it, none has.
 */
export function pulseResponse(t: Transcript, input: AudioInput, options: ListenOptions, style: CloudSpeakerStyle) {
  const text = t.result.text.trim();
  const speaker = (label?: string) => cloudSpeaker(label, style);
  const words = options.timestamps
    ? shapeWords(t.result.segments, options.punctuate).map((w) => ({ ...w, ...speaker(w.speaker) }))
    : [];
  const utterances = options.timestamps
    ? t.result.segments.map((s) => ({
        text: options.punctuate ? s.text.trim() : stripPunctuation(s.text),
        start: Math.round(s.start * 1000) / 1000,
        end: Math.round(s.end * 1000) / 1000,
        ...speaker(s.speaker),
      }))
    : [];
  const metadata: { duration: number; fileSize: number; filename?: string } = {
    duration: Math.round(t.duration * 1000) / 1000,
    fileSize: t.fileSize,
  };
  if (input.kind === 'url') metadata.filename = decodeURIComponent(new URL(input.url).pathname.split('/').pop() ?? '');
  return {
    status: 'success',
    transcription: options.punctuate ? text : stripPunctuation(text),
    audio_length: metadata.duration,
    language: t.result.language,
    words,
    utterances,
    metadata,
  };
}

/** `SPEAKER_03` → `{speaker: "speaker_3"}` (label) or `{speaker: 3}` (index); nothing when not diarized. */
function cloudSpeaker(label: string | undefined, style: CloudSpeakerStyle): { speaker?: string | number } {
  const n = label ? /^SPEAKER_(\d+)$/.exec(label)?.[1] : undefined;
  if (n === undefined) return {};
  return { speaker: style === 'label' ? `speaker_${Number(n)}` : Number(n) };
}
