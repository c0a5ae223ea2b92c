/**
 * WS /v1/listen/stream: live transcription. The client sends binary PCM16 little-endian mono frames at `sample_rate`,
 * then `{"type":"end"}` (or `{"type":"finalize"}`); the server answers `{session_id, transcript, is_final, is_last,
 * words?}` each time a stretch of audio is decided. Audio is cut at the quietest moment near each chunk boundary so
 * that words are not split, and every chunk goes through the same bounded queue as batch requests. In between, the
 * undecided audio is transcribed provisionally (`is_final: false`) when the queue is idle.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { EarshotError, isEarshotError } from '../../errors.ts';
import type { RouteContext } from '../context.ts';
import { resolveOptions } from '../listen-options.ts';
import { shapeWords, stripPunctuation } from '../transcriber.ts';
import { refuseWhenFull } from './listen.ts';

export const SAMPLE_RATES = [8000, 16000, 22050, 24000, 32000, 44100, 48000];
/** A chunk is decided once this much audio is pending; the cut lands in its last `SEARCH_SECONDS`. */
const CHUNK_SECONDS = 5;
const SEARCH_SECONDS = 1.5;
/** New audio needed before another interim (not yet final) transcript is sent. */
const INTERIM_SECONDS = 1;

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
    language: { type: 'string', minLength: 2, maxLength: 16, pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$' },
    encoding: { type: 'string', enum: ['linear16'] },
    timestamps: { type: 'boolean' },
    word_timestamps: { type: 'boolean' },
    punctuate: { type: 'boolean' },
  },
} as const;

/** Index of the quietest 20 ms frame in samples[from..to), the least harmful place to cut. */
export function quietestCut(samples: Float32Array, from: number, to: number): number {
  const frame = 320;
  let best = to;
  let bestEnergy = Number.POSITIVE_INFINITY;
  for (let i = Math.max(0, from); i + frame <= to; i += frame / 2) {
    let e = 0;
    for (let j = i; j < i + frame; j++) e += samples[j] * samples[j];
    if (e < bestEnergy) {
      bestEnergy = e;
      best = i + frame / 2;
    }
  }
  return best;
}

/** Wraps PCM16 in a WAV header so the audio module can resample it with ffmpeg's resampler. */
function wavBytes(pcm: Buffer, sampleRate: number): Uint8Array {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(pcm.length, 40);
  return new Uint8Array(Buffer.concat([header, pcm]));
}

/**
 * How a dialect of the live protocol differs from ours; the vendor's `WS /waves/v1/stt/live` is one
 * (routes/waves-stt-live.ts).
 */
export interface StreamDialect {
  /** What `{"type":"finalize"}` does: end the stream (ours), or decide the turn so far and keep listening. */
  finalize: 'end' | 'flush';
  /** Reshapes every outgoing message; `fromFinalize` marks the final that a client's finalize produced. */
  shape: (message: Record<string, unknown>, fromFinalize: boolean) => Record<string, unknown>;
}

const OUR_DIALECT: StreamDialect = { finalize: 'end', shape: (message) => message };

/** Runs a live session on an accepted socket (the request already authorised, its query validated). */
export function openStreamSession(
  socket: WebSocket,
  request: FastifyRequest<{ Querystring: StreamQuery }>,
  ctx: RouteContext,
  dialect: StreamDialect = OUR_DIALECT,
): void {
  new StreamSession(socket, request, ctx, dialect).start();
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

class StreamSession {
  private readonly sessionId = `sess_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  private readonly sampleRate: number;
  private readonly options;
  private readonly abort = new AbortController();
  /** Raw PCM16 bytes not yet converted (a frame may split a sample). */
  private carry = Buffer.alloc(0);
  /** Audio at 16 kHz not yet transcribed. */
  private pending = new Float32Array(0);
  /** Seconds of audio already decided (offset for word times). */
  private decided = 0;
  private received = 0;
  /** Undecided samples when the last interim transcript was sent. */
  private interimAt = 0;
  private work: Promise<void> = Promise.resolve();
  private ended = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly request: FastifyRequest<{ Querystring: StreamQuery }>,
    private readonly ctx: RouteContext,
    private readonly dialect: StreamDialect,
  ) {
    const q = request.query;
    this.sampleRate = q.sample_rate ?? 16000;
    this.options = resolveOptions({
      language: q.language,
      punctuate: q.punctuate,
      timestamps: q.timestamps ?? q.word_timestamps,
    });
  }

  start(): void {
    const lease = this.request.lease;
    this.request.lease = undefined; // released when the socket closes, not when the upgrade response ends
    this.socket.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    this.socket.on('close', () => {
      this.abort.abort(new EarshotError('CANCELLED', 'The client closed the stream'));
      lease?.release();
    });
    this.socket.on('error', () => this.socket.terminate());
    this.ctx.transcriber.checkOptions(this.options).catch((e) => this.fail(e));
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.ended) return;
    if (!isBinary) {
      let type: unknown;
      try {
        type = JSON.parse(data.toString('utf8')).type;
      } catch {
        this.fail(new EarshotError('MALFORMED_JSON', 'Text messages must be JSON such as {"type":"end"}'));
        return;
      }
      if (type === 'finalize' && this.dialect.finalize === 'flush') this.enqueue('flush');
      else if (type === 'end' || type === 'finalize' || type === 'close_stream') {
        this.ended = true;
        this.enqueue('last');
      }
      return;
    }
    this.received += data.length / 2 / this.sampleRate;
    if (this.received > this.ctx.config.maxAudioSeconds) {
      this.fail(new EarshotError('AUDIO_TOO_LONG', `Streams are limited to ${this.ctx.config.maxAudioSeconds} s`));
      return;
    }
    const bytes = Buffer.concat([this.carry, data]);
    const usable = bytes.length - (bytes.length % 2);
    this.carry = bytes.subarray(usable);
    const pcm = bytes.subarray(0, usable);
    this.work = this.work.then(() => this.append(pcm)).catch((e) => this.fail(e));
    this.enqueue('more');
  }

  private async append(pcm: Buffer): Promise<void> {
    let samples: Float32Array;
    if (this.sampleRate === 16000) {
      samples = new Float32Array(pcm.length / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = pcm.readInt16LE(i * 2) / 32768;
    } else {
      samples = (await this.ctx.services.audio.decode(wavBytes(pcm, this.sampleRate), this.abort.signal)).samples;
    }
    const next = new Float32Array(this.pending.length + samples.length);
    next.set(this.pending);
    next.set(samples, this.pending.length);
    this.pending = next;
  }

  /**
   * Schedules transcription of whatever is decided: full chunks, and everything when the client has ended ('last')
   * or finalized a turn ('flush').
   */
  private enqueue(then: 'more' | 'flush' | 'last'): void {
    this.work = this.work
      .then(async () => {
        while (this.pending.length >= CHUNK_SECONDS * 16000) {
          const end = CHUNK_SECONDS * 16000;
          const cut = quietestCut(this.pending, end - SEARCH_SECONDS * 16000, end);
          await this.decide(cut, false);
        }
        if (then === 'last') {
          await this.decide(this.pending.length, true);
          this.socket.close(1000, 'done');
        } else if (then === 'flush') {
          await this.decide(this.pending.length, false, true);
        } else if (
          this.pending.length - this.interimAt >= INTERIM_SECONDS * 16000 &&
          this.ctx.transcriber.queue.depth === 0
        ) {
          await this.interim();
        }
      })
      .catch((e) => this.fail(e));
  }

  /**
   * A provisional transcript of the undecided audio (`is_final: false`), at most once per second of new audio and
   * only while nobody waits for a worker: interim text is a courtesy, never a reason to delay other requests.
   */
  private async interim(): Promise<void> {
    this.interimAt = this.pending.length;
    const result = await this.ctx.transcriber.transcribeSamples(this.pending.slice(), this.options, this.abort.signal);
    const transcript = this.options.punctuate ? result.text.trim() : stripPunctuation(result.text);
    if (!transcript) return;
    this.send({
      session_id: this.sessionId,
      transcript,
      is_final: false,
      is_last: false,
      start: Math.round(this.decided * 1000) / 1000,
      end: Math.round((this.decided + this.interimAt / 16000) * 1000) / 1000,
    });
  }

  private async decide(samplesCount: number, isLast: boolean, flushed = false): Promise<void> {
    this.interimAt = 0;
    const chunk = this.pending.slice(0, samplesCount);
    this.pending = this.pending.slice(samplesCount);
    const offset = this.decided;
    this.decided += chunk.length / 16000;
    let transcript = '';
    let words: ReturnType<typeof shapeWords> = [];
    let language = this.options.language;
    // Under a tenth of a second is not worth a model run.
    if (chunk.length >= 1600) {
      const result = await this.ctx.transcriber.transcribeSamples(chunk, this.options, this.abort.signal);
      transcript = this.options.punctuate ? result.text.trim() : stripPunctuation(result.text);
      language = result.language;
      words = shapeWords(result.segments, this.options.punctuate).map((w) => ({
        ...w,
        start: Math.round((w.start + offset) * 1000) / 1000,
        end: Math.round((w.end + offset) * 1000) / 1000,
      }));
    }
    // A finalized turn always gets its final, even an empty one: the client waits for it.
    if (!transcript && !isLast && !flushed) return;
    const message: Record<string, unknown> = {
      session_id: this.sessionId,
      transcript,
      is_final: true,
      is_last: isLast,
      start: Math.round(offset * 1000) / 1000,
      end: Math.round(this.decided * 1000) / 1000,
      language,
    };
    if (this.options.timestamps) message.words = words;
    this.send(message, flushed);
  }

  private send(message: Record<string, unknown>, fromFinalize = false): void {
    if (this.socket.readyState === this.socket.OPEN) {
      this.socket.send(JSON.stringify(this.dialect.shape(message, fromFinalize)));
    }
  }

  private fail(e: unknown): void {
    if (this.abort.signal.aborted && !isEarshotError(e)) return;
    const err = isEarshotError(e) ? e : new EarshotError('INTERNAL_ERROR');
    if (!isEarshotError(e)) this.request.log.error({ err: e }, 'stream failed');
    this.send({ session_id: this.sessionId, type: 'error', ...err.toJSON() });
    this.ended = true;
    this.socket.close(err.status >= 500 ? 1011 : 1008, err.code);
  }
}
