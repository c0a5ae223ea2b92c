/**
 * WS /waves/v1/stt/live: the vendor's live endpoint as its Python SDK (`smallestai`) speaks it, run by our own
 * streaming session (routes/stream.ts) in the vendor's dialect: binary PCM16 frames in; `{"type":"finalize"}`
 * decides the turn so far and keeps the socket open, `{"type":"close_stream"}` ends with `is_last: true`. Out go
 * `TranscriptionEvent`s `{type: "transcription", transcript, transcription, is_final, is_last, from_finalize,
 * session_id, language, words}` and `{type: "error", message}`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { EarshotError } from '../../errors.ts';
import type { RouteContext } from '../context.ts';
import { refuseWhenFull } from './listen.ts';
import type { StreamDialect } from '../stream-session.ts';
import { openStreamSession, SAMPLE_RATES } from './stream.ts';
import { refuseUnsupported, wavesLanguage } from './waves-stt.ts';

interface LiveQuery {
  sample_rate?: number;
  language?: string;
  encoding?: string;
  word_timestamps?: boolean;
  punctuate?: boolean;
  full_transcript?: boolean;
  sentence_timestamps?: boolean;
  diarize?: boolean;
  redact_pii?: string;
  redact_pci?: string;
}

const querySchema = {
  type: 'object',
  properties: {
    model: { type: 'string', maxLength: 32 },
    language: wavesLanguage,
    sample_rate: { type: 'integer', enum: SAMPLE_RATES },
    encoding: { type: 'string', enum: ['linear16'] },
    word_timestamps: { type: 'boolean' },
    punctuate: { type: 'boolean' },
    full_transcript: { type: 'boolean' },
    sentence_timestamps: { type: 'boolean' },
    diarize: { type: 'boolean' },
    // Lists of entity kinds for the vendor; here anything but "false" is refused (see refuseUnsupported).
    redact_pii: { type: 'string', maxLength: 256 },
    redact_pci: { type: 'string', maxLength: 256 },
    // Tuning knobs of the vendor's endpointing, formatting and keyword boosting: accepted, without effect here.
    capitalize: { type: 'boolean' },
    itn_normalize: { type: 'boolean' },
    numerals: { type: 'string', maxLength: 8 },
    format: { type: 'string', maxLength: 16 },
    finalize_on_words: { type: 'boolean' },
    eou_timeout_ms: { type: 'integer', minimum: 100, maximum: 10000 },
    max_words: { type: 'integer', minimum: 1 },
    vad: { type: 'boolean' },
    vad_events: { type: 'boolean' },
    vad_threshold: { type: 'number' },
    vad_min_speech_ms: { type: 'integer', minimum: 0 },
    keywords: { type: 'string', maxLength: 2048 },
  },
} as const;

/** The vendor's message shapes, with the session's running transcript and sentence list when asked for. */
function vendorDialect(query: LiveQuery): StreamDialect {
  const turns: string[] = [];
  return {
    finalize: 'flush',
    shape(message, fromFinalize) {
      if (message.type === 'error') {
        const { type: _type, error, ...rest } = message;
        return { type: 'error', status: 'error', message: error, ...rest };
      }
      const transcript = String(message.transcript ?? '');
      const out: Record<string, unknown> = { type: 'transcription', ...message, transcription: transcript };
      if (message.is_final) {
        out.from_finalize = fromFinalize;
        if (transcript) turns.push(transcript);
        if (query.full_transcript) out.full_transcript = turns.join(' ');
        if (query.sentence_timestamps) {
          out.utterances = transcript ? [{ text: transcript, start: message.start, end: message.end }] : [];
        }
      }
      return out;
    },
  };
}

export function wavesSttLiveRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get<{ Querystring: LiveQuery }>(
    '/waves/v1/stt/live',
    {
      websocket: true,
      schema: { querystring: querySchema },
      onRequest: [ctx.authenticate('authorize'), refuseWhenFull(ctx)],
      preHandler: async (request) => {
        refuseUnsupported(request.query);
        if (request.query.diarize) {
          // Speakers are found over a whole recording; a live stream is answered turn by turn, so it is refused here.
          throw new EarshotError(
            'INVALID_PARAMETER',
            'Speaker diarization is not available on live streams; send the recording to POST /waves/v1/stt/ with diarize=true',
            { parameter: 'diarize' },
          );
        }
      },
    },
    (socket: WebSocket, request: FastifyRequest<{ Querystring: LiveQuery }>) => {
      openStreamSession(socket, request, ctx, vendorDialect(request.query));
    },
  );
}
