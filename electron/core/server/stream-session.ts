/**
 * One live transcription on WS /v1/listen/stream. Frames go into an inbox and one worker loop (never more than one
 * per session) converts them to 16 kHz with a converter kept for the whole stream, and transcribes through the shared
 * queue what the live decider (core/live/decider.ts, shared with the desktop's microphone recording) decides: chunks
 * cut at the quietest moment near each boundary, and provisional transcripts of undecided audio when the queue is idle.
 *
 * Limits, because a socket is cheap for a client and costly for us:
 * - back-pressure: past `BACKLOG_SECONDS` of unconverted audio the socket is paused (TCP then slows the client), so
 *   a burst cannot pile up in memory or starve other requests of the event loop;
 * - every second of audio is charged to the license before the model hears it (provisional text included), and a
 *   session over the day's quota gets QUOTA_EXCEEDED (with `resets_at`) and is closed;
 * - a session that sends nothing for `streamIdleSeconds`, or lasts `streamMaxSeconds`, is ended with a reason;
 * - when the client goes away everything stops at once: the inbox is dropped and the running model call aborted.
 */
import { randomUUID } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import type { Segment } from '../asr/types.ts';
import type { WebSocket } from 'ws';
import { EarshotError, isEarshotError } from '../errors.ts';
import { LocalAgreement } from '../live/agreement.ts';
import { type LiveChunk, LiveDecider, LIVE_INTERIM_SECONDS, MIN_MODEL_SAMPLES } from '../live/decider.ts';
import type { RouteContext } from './context.ts';
import type { LicenseLease, PcmResampler } from './services.ts';
import { type ListenOptions, shapeWords, stripPunctuation } from './transcriber.ts';

const RATE = 16000;
/** Unconverted audio past which the socket stops being read until the session catches up. */
const BACKLOG_SECONDS = 2;
/** Input converted between two yields to the event loop (~1.5 ms of work at 48 kHz). */
const SLICE_SECONDS = 0.25;

/** WebSocket close codes by cause: 1008 policy (bad input, limits), 1013 try again later, 1011 server fault. */
function closeCodeFor(err: EarshotError): number {
  if (err.code === 'SERVICE_UNAVAILABLE') return 1013;
  if (err.code === 'TIMEOUT' || err.status < 500) return 1008;
  return 1011;
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

export interface StreamSettings {
  sampleRate: number;
  options: ListenOptions;
  /** Default: ours (finalize ends the stream, messages as they are). */
  dialect?: StreamDialect;
}

export class StreamSession {
  private readonly sessionId = `sess_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  private readonly abort = new AbortController();
  private resampler: PcmResampler | undefined;
  /** Frames received and not yet converted, and their size. */
  private inbox: Buffer[] = [];
  private inboxBytes = 0;
  /** A trailing odd byte (a frame may split a sample). */
  private carry = Buffer.alloc(0);
  /** Audio at 16 kHz not yet decided, and when to decide it. */
  private readonly decider = new LiveDecider({ interimSeconds: LIVE_INTERIM_SECONDS });
  /** Words two provisional transcripts agree on are final at once (the desktop's microphone does the same). */
  private readonly agreement = new LocalAgreement();
  /** Samples charged to the license so far. */
  private chargedSamples = 0;
  private receivedSeconds = 0;
  /** No more audio is accepted (the client ended, or a limit did); the rest is decided and the socket closed. */
  private ended = false;
  /** Set when a limit ended the session: sent after the last transcript, then the socket closes with 1008. */
  private endError: EarshotError | undefined;
  private finished = false;
  /** The client finalized a turn (flush dialects): decide everything received so far, then keep listening. */
  private flushRequested = false;
  private working = false;
  private paused = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private lengthTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly lease: LicenseLease | undefined,
    private readonly log: FastifyBaseLogger,
    private readonly ctx: RouteContext,
    private readonly settings: StreamSettings,
  ) {}

  async start(): Promise<void> {
    this.ctx.metrics.activeStreams++;
    this.socket.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    this.socket.on('close', () => this.onClose());
    this.armIdle();
    const maxSeconds = this.ctx.config.streamMaxSeconds;
    this.lengthTimer = setTimeout(() => {
      this.endBy(new EarshotError('TIMEOUT', `The session reached its maximum length of ${maxSeconds} s`));
    }, maxSeconds * 1000);
    try {
      await this.ctx.transcriber.checkOptions(this.settings.options);
      const resampler = await this.ctx.services.audio.resampler(this.settings.sampleRate);
      if (this.abort.signal.aborted) resampler.close();
      else this.resampler = resampler;
    } catch (e) {
      this.fail(e);
      return;
    }
    this.pump();
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.ended || this.finished) return;
    this.armIdle();
    if (!isBinary) {
      let type: unknown;
      try {
        type = JSON.parse(data.toString('utf8')).type;
      } catch {
        this.fail(new EarshotError('MALFORMED_JSON', 'Text messages must be JSON such as {"type":"end"}'));
        return;
      }
      if (type === 'finalize' && this.settings.dialect?.finalize === 'flush') {
        this.flushRequested = true;
        this.pump();
      } else if (type === 'end' || type === 'finalize' || type === 'close_stream') {
        this.ended = true;
        this.pump();
      }
      return;
    }
    this.receivedSeconds += data.length / 2 / this.settings.sampleRate;
    const limit = this.ctx.config.maxAudioSeconds;
    if (this.receivedSeconds > limit) {
      this.fail(new EarshotError('AUDIO_TOO_LONG', `Streams are limited to ${limit} s of audio`));
      return;
    }
    this.inbox.push(data);
    this.inboxBytes += data.length;
    if (!this.paused && this.inboxBytes / 2 / this.settings.sampleRate > BACKLOG_SECONDS) {
      this.paused = true;
      this.socket.pause();
    }
    this.pump();
  }

  /** Starts the worker loop unless it runs already (it picks up whatever arrived meanwhile). */
  private pump(): void {
    if (this.working || this.finished || !this.resampler) return;
    this.working = true;
    this.work()
      .catch((e) => this.fail(e))
      .finally(() => {
        this.working = false;
        if (this.finished) this.releaseConverter();
      });
  }

  private async work(): Promise<void> {
    while (!this.finished) {
      // A macrotask boundary per round: other requests' I/O runs between frames and between model runs.
      await yieldToEventLoop();
      if (this.finished) return;
      const frame = this.inbox.shift();
      if (frame) {
        this.inboxBytes -= frame.length;
        await this.convert(frame);
      }
      while (!this.finished) {
        const due = this.decider.takeDue();
        if (!due) break;
        await this.decide(due, false);
      }
      if (this.inbox.length > 0 || this.finished) continue;
      if (this.paused) {
        this.paused = false;
        this.socket.resume();
        this.armIdle();
      }
      if (this.ended) {
        await this.decide(this.decider.takeAll(), true);
        this.finish();
        return;
      }
      if (this.flushRequested) {
        this.flushRequested = false;
        await this.decide(this.decider.takeAll(), false, true);
        continue;
      }
      if (!this.decider.interimDue() || this.ctx.transcriber.queue.depth > 0) {
        return;
      }
      await this.interim();
    }
  }

  /** Converts one frame in slices, yielding between them so a large frame never holds the event loop. */
  private async convert(frame: Buffer): Promise<void> {
    const bytes = this.carry.length ? Buffer.concat([this.carry, frame]) : frame;
    const usable = bytes.length - (bytes.length % 2);
    this.carry = Buffer.from(bytes.subarray(usable));
    const slice = Math.max(2, Math.round(this.settings.sampleRate * SLICE_SECONDS) * 2);
    for (let at = 0; at < usable; at += slice) {
      if (at > 0) await yieldToEventLoop();
      if (this.finished) return;
      this.decider.append(this.resampler!.convert(bytes.subarray(at, Math.min(at + slice, usable))));
    }
  }

  /** Charges the license for the stream up to `upTo` samples (absolute) before the model hears them. */
  private async charge(upTo: number): Promise<void> {
    if (upTo <= this.chargedSamples) return;
    const seconds = (upTo - this.chargedSamples) / RATE;
    await this.lease?.recordAudio(seconds);
    this.chargedSamples = upTo;
    this.ctx.metrics.audioSeconds.inc({}, seconds);
  }

  /**
   * A provisional transcript of the undecided audio (`is_final: false`), at most twice per second of new audio and
   * only while nobody waits for a worker: interim text is a courtesy, never a reason to delay other requests. Words it
   * agrees on with the previous one are sent as final at once (core/live/agreement.ts).
   */
  private async interim(): Promise<void> {
    const undecided = this.decider.takeInterim();
    await this.charge(undecided.to);
    const { options } = this.settings;
    // Word timings are what agreement compares, whether or not the client asked for them.
    const result = await this.ctx.transcriber.transcribeSamples(
      undecided.samples,
      { ...options, timestamps: true },
      this.abort.signal,
    );
    const settled = this.agreement.settle(this.decider, undecided, result.segments);
    let from = undecided.from;
    let text = result.text;
    if (settled) {
      const { decided } = settled;
      const transcript = settled.segments.map((s) => s.text).join('');
      this.sendFinal(settled.segments, transcript, result.language, decided.from, decided.to, false);
      from = decided.to;
      text = settled.rest.map((s) => s.text).join('');
    }
    const transcript = options.punctuate ? text.trim() : stripPunctuation(text);
    if (!transcript) return;
    this.send({
      session_id: this.sessionId,
      transcript,
      is_final: false,
      is_last: false,
      start: round(from / RATE),
      end: round(undecided.to / RATE),
    });
  }

  private async decide(chunk: LiveChunk, isLast: boolean, flushed = false): Promise<void> {
    const { options } = this.settings;
    if (chunk.samples.length < MIN_MODEL_SAMPLES) {
      this.sendFinal([], '', options.language, chunk.from, chunk.to, isLast, flushed);
      return;
    }
    await this.charge(chunk.to);
    const result = await this.ctx.transcriber.transcribeSamples(chunk.samples, options, this.abort.signal);
    this.sendFinal(result.segments, result.text, result.language, chunk.from, chunk.to, isLast, flushed);
  }

  /** A final transcript of stream samples [from, to); `segments` are timed from `from`. */
  private sendFinal(
    segments: Segment[],
    text: string,
    language: string,
    from: number,
    to: number,
    isLast: boolean,
    flushed = false,
  ): void {
    const { options } = this.settings;
    const offset = from / RATE;
    const transcript = options.punctuate ? text.trim() : stripPunctuation(text);
    // A finalized turn always gets its final, even an empty one: the client waits for it.
    if (!transcript && !isLast && !flushed) return;
    const message: Record<string, unknown> = {
      session_id: this.sessionId,
      transcript,
      is_final: true,
      is_last: isLast,
      start: round(offset),
      end: round(to / RATE),
      language,
    };
    if (options.timestamps) {
      message.words = shapeWords(segments, options.punctuate).map((w) => ({
        ...w,
        start: round(w.start + offset),
        end: round(w.end + offset),
      }));
    }
    this.send(message, flushed);
  }

  /** Restarts the idle countdown; while the session itself is behind (paused or working), it is not the client's. */
  private armIdle(): void {
    clearTimeout(this.idleTimer);
    if (this.ended || this.finished) return;
    const seconds = this.ctx.config.streamIdleSeconds;
    this.idleTimer = setTimeout(() => {
      if (this.paused || this.working) this.armIdle();
      else this.fail(new EarshotError('TIMEOUT', `No audio received for ${seconds} s; the stream was closed`));
    }, seconds * 1000);
  }

  /** Stops taking audio because of a limit: what was received is still decided, then the reason is sent. */
  private endBy(err: EarshotError): void {
    if (this.ended || this.finished) return;
    this.ended = true;
    this.endError = err;
    clearTimeout(this.idleTimer);
    this.pump();
  }

  private finish(): void {
    if (this.endError) {
      this.send({ session_id: this.sessionId, type: 'error', ...this.endError.toJSON() });
      this.close(1008, this.endError.message);
    } else this.close(1000, 'done');
  }

  private send(message: Record<string, unknown>, fromFinalize = false): void {
    const shaped = this.settings.dialect ? this.settings.dialect.shape(message, fromFinalize) : message;
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(shaped));
  }

  private fail(e: unknown): void {
    if (this.finished) return;
    if (this.abort.signal.aborted && !isEarshotError(e)) return;
    const err = isEarshotError(e) ? e : new EarshotError('INTERNAL_ERROR');
    if (!isEarshotError(e)) this.log.error({ err: e }, 'stream failed');
    else this.log.info({ code: err.code, session_id: this.sessionId }, 'stream ended by an error');
    this.send({ session_id: this.sessionId, type: 'error', ...err.toJSON() });
    this.close(closeCodeFor(err), err.code);
  }

  private close(code: number, reason: string): void {
    this.finished = true;
    this.ended = true;
    this.dropWork();
    // Close reasons are limited to 123 bytes.
    if (this.socket.readyState === this.socket.OPEN) this.socket.close(code, reason.slice(0, 120));
  }

  private onClose(): void {
    this.ctx.metrics.activeStreams--;
    this.finished = true;
    this.abort.abort(new EarshotError('CANCELLED', 'The client closed the stream'));
    this.dropWork();
    this.lease?.release();
  }

  /** Everything per-session stops here: timers, the inbox, the converter. */
  private dropWork(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.lengthTimer);
    this.inbox = [];
    this.inboxBytes = 0;
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
    if (!this.working) this.releaseConverter();
  }

  private releaseConverter(): void {
    this.resampler?.close();
    this.resampler = undefined;
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;
