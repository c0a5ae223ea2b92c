/**
 * One live transcription inside the live worker: 16 kHz audio arrives in small frames while the model runs, and the
 * shared decider (decider.ts, the same one the server's WebSocket stream uses) says which audio becomes final text and
 * when the undecided tail gets a provisional transcript. One loop per transcription, never two model runs at once.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Segment, SpeechModel } from '../asr/types.ts';
import { shiftSegment } from '../jobs/resume.ts';
import { joinLivePieces, LocalAgreement, segmentsBefore } from './agreement.ts';
import { type LiveChunk, LiveDecider, LIVE_INTERIM_SECONDS, LIVE_RATE, MIN_MODEL_SAMPLES } from './decider.ts';

/**
 * A last word ending this close to a chunk's cut was probably cut through (the quietest 20 ms can be the closure of
 * a "k" or "p"): it is given back and decided with the next chunk instead.
 */
const CUT_WORD_SECONDS = 0.4;

export interface LiveInterim {
  text: string;
  /** Stream seconds the provisional text covers. */
  start: number;
  end: number;
  /** Stream seconds received when the text was ready (how far behind the speech it is: `receivedAt - end`). */
  receivedAt: number;
}

export interface LiveFinal {
  /** The decided chunk's segments, in stream time (may be empty: a silent chunk). */
  segments: Segment[];
  start: number;
  end: number;
  receivedAt: number;
  language: string;
}

export interface LiveEvents {
  onInterim(interim: LiveInterim): void;
  onFinal(final: LiveFinal): void;
}

export interface LiveResult {
  segments: Segment[];
  language: string;
  /** Seconds of audio received. */
  duration: number;
}

export class LiveTranscription {
  private readonly decider = new LiveDecider({ interimSeconds: LIVE_INTERIM_SECONDS });
  private readonly agreement = new LocalAgreement();
  private readonly abort = new AbortController();
  private received = 0;
  private segments: Segment[] = [];
  private language: string;
  private working = false;
  private ended = false;
  private flushRequested = false;
  private failure: unknown;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly model: SpeechModel,
    private readonly options: { language?: string },
    private readonly events: LiveEvents,
  ) {
    this.language = options.language ?? 'en';
  }

  /** Audio as 16-bit little-endian mono PCM at 16 kHz (what the renderer's worklet sends). */
  pushPcm16(bytes: Uint8Array): void {
    const count = bytes.length >> 1;
    const view = new DataView(bytes.buffer, bytes.byteOffset, count * 2);
    const samples = new Float32Array(count);
    for (let i = 0; i < count; i++) samples[i] = view.getInt16(i * 2, true) / 32768;
    this.push(samples);
  }

  push(samples: Float32Array): void {
    if (this.ended) return;
    this.received += samples.length;
    this.decider.append(samples);
    this.pump();
  }

  /** Decides everything received so far (the user paused), then keeps listening. */
  flush(): void {
    this.flushRequested = true;
    this.pump();
  }

  /** Decides the rest and returns the whole transcript; throws the loop's error if the model failed. */
  async stop(): Promise<LiveResult> {
    this.ended = true;
    this.pump();
    await this.idle;
    if (this.failure) throw this.failure;
    return { segments: joinLivePieces(this.segments), language: this.language, duration: this.received / LIVE_RATE };
  }

  /** Resolves when the audio pushed so far has been worked through (what a paced caller waits for). */
  settled(): Promise<void> {
    return this.idle;
  }

  /** Stops at once (the session was abandoned): the running model call is aborted. */
  cancel(): void {
    this.ended = true;
    this.abort.abort();
  }

  private pump(): void {
    if (this.working || this.failure) return;
    this.working = true;
    this.idle = this.work()
      .catch((e) => {
        this.failure = e;
      })
      .finally(() => {
        this.working = false;
      });
  }

  private async work(): Promise<void> {
    while (!this.abort.signal.aborted) {
      // Frames posted to the worker are delivered between rounds.
      await yieldToEventLoop();
      for (let due = this.decider.takeDue(); due; due = this.decider.takeDue()) await this.decide(due, false);
      if (this.ended) {
        await this.decide(this.decider.takeAll(), true);
        return;
      }
      if (this.flushRequested) {
        // A pause is a boundary the user chose: everything so far is final.
        this.flushRequested = false;
        await this.decide(this.decider.takeAll(), true);
        continue;
      }
      if (!this.decider.interimDue()) return;
      await this.interim();
    }
  }

  private async interim(): Promise<void> {
    const chunk = this.decider.takeInterim();
    const result = await this.model
      .transcribe(
        { samples: chunk.samples, sampleRate: 16000 },
        { language: this.options.language, wordTimestamps: true, signal: this.abort.signal },
      )
      .result();
    const settled = this.agreement.settle(this.decider, chunk, result.segments);
    if (settled) {
      const { decided } = settled;
      this.language = result.language || this.language;
      const segments = settled.segments
        .filter((s) => s.text.trim())
        .map((s, i) => shiftSegment({ ...s, id: i }, decided.from / LIVE_RATE, this.segments.length));
      this.segments.push(...segments);
      this.events.onFinal({
        segments,
        start: decided.from / LIVE_RATE,
        end: decided.to / LIVE_RATE,
        receivedAt: this.received / LIVE_RATE,
        language: this.language,
      });
    }
    const start = settled ? settled.decided.to : chunk.from;
    const text = (settled ? settled.rest.map((s) => s.text).join('') : result.text).trim();
    if (!text) return;
    this.events.onInterim({
      text,
      start: start / LIVE_RATE,
      end: chunk.to / LIVE_RATE,
      receivedAt: this.received / LIVE_RATE,
    });
  }

  /** Transcribes a decided chunk; unless it is the end of the input, a word its cut went through is given back. */
  private async decide(chunk: LiveChunk, all: boolean): Promise<void> {
    let segments: Segment[] = [];
    let end = chunk.to;
    if (chunk.samples.length >= MIN_MODEL_SAMPLES) {
      const result = await this.model
        .transcribe(
          { samples: chunk.samples, sampleRate: 16000 },
          { language: this.options.language, wordTimestamps: true, signal: this.abort.signal },
        )
        .result();
      this.language = result.language || this.language;
      let kept = result.segments;
      const cut = all ? undefined : cutWordGap(kept, chunk.samples.length / LIVE_RATE);
      if (cut !== undefined) {
        const at = Math.round(cut * LIVE_RATE);
        this.decider.giveBack(chunk.samples.slice(at));
        end = chunk.from + at;
        kept = segmentsBefore(kept, cut);
      }
      const offset = chunk.from / LIVE_RATE;
      segments = kept
        .filter((s) => s.text.trim())
        .map((s, i) => shiftSegment({ ...s, id: i }, offset, this.segments.length));
      this.segments.push(...segments);
    }
    this.events.onFinal({
      segments,
      start: chunk.from / LIVE_RATE,
      end: end / LIVE_RATE,
      receivedAt: this.received / LIVE_RATE,
      language: this.language,
    });
  }
}

/**
 * Where to cut instead when the chunk's last word touches its end: the middle of the gap before that word (seconds in
 * the chunk), or undefined to keep the cut (no word timings, a single word, or a last word well clear of the end).
 */
function cutWordGap(segments: Segment[], seconds: number): number | undefined {
  const words = segments.flatMap((s) => s.words ?? []);
  if (words.length < 2) return undefined;
  const last = words[words.length - 1];
  if (last.end < seconds - CUT_WORD_SECONDS) return undefined;
  const at = (words[words.length - 2].end + last.start) / 2;
  return at * LIVE_RATE >= MIN_MODEL_SAMPLES && at < seconds ? at : undefined;
}
