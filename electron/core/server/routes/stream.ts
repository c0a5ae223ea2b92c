/**
 * WS /v1/listen/stream: live transcription. The client sends binary PCM16 little-endian mono frames at `sample_rate`,
 * then `{"type":"end"}` (or `{"type":"finalize"}`); the server answers `{session_id, transcript, is_final, is_last,
 * words?}` each time a stretch of audio is decided, with provisional `is_final: false` text in between
 * (stream-session.ts does the work and enforces the limits).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { RouteContext } from '../context.ts';
import { languageProperty, resolveOptions } from '../listen-options.ts';
import { type StreamDialect, StreamSession } from '../stream-session.ts';
import { refuseWhenFull } from './listen.ts';

export const SAMPLE_RATES = [8000, 16000, 22050, 24000, 32000, 44100, 48000];

interface StreamQuery {
  sample_rate?: number;
  language?: string;
  encoding?: string;
  timestamps?: boolean;
  word_timestamps?: boolean;
  punctuate?: boolean;
}

const querySchema = {
  type: 'object',
  properties: {
    sample_rate: { type: 'integer', enum: SAMPLE_RATES },
    language: languageProperty,
    encoding: { type: 'string', enum: ['linear16'] },
    timestamps: { type: 'boolean' },
    word_timestamps: { type: 'boolean' },
    punctuate: { type: 'boolean' },
  },
} as const;

/** Runs a live session on an accepted socket (the request already authorised, its query validated). */
export function openStreamSession(
  socket: WebSocket,
  request: FastifyRequest<{ Querystring: StreamQuery }>,
  ctx: RouteContext,
  dialect?: StreamDialect,
): void {
  const q = request.query;
  const lease = request.lease;
  request.lease = undefined; // released when the socket closes, not when the upgrade response ends
  const options = resolveOptions({
    language: q.language,
    punctuate: q.punctuate,
    timestamps: q.timestamps ?? q.word_timestamps,
  });
  void new StreamSession(socket, lease, request.log, ctx, {
    sampleRate: q.sample_rate ?? 16000,
    options,
    dialect,
  }).start();
}

export function streamRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get<{ Querystring: StreamQuery }>(
    '/v1/listen/stream',
    {
      websocket: true,
      schema: { querystring: querySchema },
      onRequest: [ctx.authenticate('authorize'), refuseWhenFull(ctx)],
    },
    (socket: WebSocket, request: FastifyRequest<{ Querystring: StreamQuery }>) => {
      openStreamSession(socket, request, ctx);
    },
  );
}
