/**
 * The streaming decision logic shared by every live face (the server's WS /v1/listen/stream and the desktop's
 * microphone recording): audio at 16 kHz accumulates as "pending"; once `CHUNK_SECONDS` are pending a chunk is
 * decided (its text becomes final), cut at the quietest 20 ms near the boundary so a word is rarely split; in between,
 * the undecided audio may get a provisional ("interim") transcript once per `INTERIM_SECONDS` of new audio.
 *
 * The decider only says what to transcribe and where it lies in the stream; running the model, charging the license
 * and sending the text stay with the caller (a socket session, or the desktop's live worker).
 */

export const LIVE_RATE = 16000;
/** A chunk is decided once this much audio is pending; the cut lands in its last `SEARCH_SECONDS`. */
export const CHUNK_SECONDS = 5;
export const SEARCH_SECONDS = 1.5;
/** New audio needed before another interim (not yet final) transcript is sent. */
export const INTERIM_SECONDS = 1;
/**
 * Provisional transcripts twice a second in live faces that settle agreed words early (agreement.ts): a word is then
 * final about a second after it is spoken instead of waiting for its chunk.
 */
export const LIVE_INTERIM_SECONDS = 0.5;
/** Under a tenth of a second is not worth a model run (nor a license charge). */
export const MIN_MODEL_SAMPLES = 1600;

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

/** A stretch of the stream handed to the model: samples and where they lie (absolute sample positions). */
export interface LiveChunk {
  samples: Float32Array;
  /** First sample's position in the stream. */
  from: number;
  /** Position after the last sample. */
  to: number;
}

export interface LiveDeciderOptions {
  /** New audio needed before another provisional transcript (default `INTERIM_SECONDS`). */
  interimSeconds?: number;
}

export class LiveDecider {
  private readonly interimSamples: number;

  constructor(options: LiveDeciderOptions = {}) {
    this.interimSamples = Math.round((options.interimSeconds ?? INTERIM_SECONDS) * LIVE_RATE);
  }

  /** Audio at 16 kHz not yet decided. */
  private pending = new Float32Array(0);
  /** Samples decided so far (the offset of `pending` in the stream). */
  private decided = 0;
  /** Undecided samples when the last interim transcript was taken. */
  private interimAt = 0;

  append(samples: Float32Array): void {
    if (samples.length === 0) return;
    const next = new Float32Array(this.pending.length + samples.length);
    next.set(this.pending);
    next.set(samples, this.pending.length);
    this.pending = next;
  }

  /** Samples decided so far. */
  get decidedSamples(): number {
    return this.decided;
  }

  /** Samples received and not yet decided. */
  get pendingSamples(): number {
    return this.pending.length;
  }

  /** The next chunk whose text becomes final because enough audio is pending, cut at the quietest moment. */
  takeDue(): LiveChunk | undefined {
    const end = CHUNK_SECONDS * LIVE_RATE;
    if (this.pending.length < end) return undefined;
    return this.take(quietestCut(this.pending, end - SEARCH_SECONDS * LIVE_RATE, end));
  }

  /** Everything pending, decided now (the stream ended, or the client finalized a turn). */
  takeAll(): LiveChunk {
    return this.take(this.pending.length);
  }

  /** The first `count` undecided samples, decided now (their words settled before the chunk was due). */
  takeFirst(count: number): LiveChunk {
    return this.take(Math.max(0, Math.min(count, this.pending.length)));
  }

  /** Whether enough new audio arrived since the last interim transcript for another one. */
  interimDue(): boolean {
    return this.pending.length - this.interimAt >= this.interimSamples;
  }

  /** The undecided audio for a provisional transcript (a copy: pending keeps growing while the model runs). */
  takeInterim(): LiveChunk {
    this.interimAt = this.pending.length;
    return { samples: this.pending.slice(), from: this.decided, to: this.decided + this.interimAt };
  }

  /**
   * Returns the end of the chunk just taken to the undecided audio, to be decided again with what follows: a caller
   * that finds its cut went through a word gives the word back rather than finalizing half of it.
   */
  giveBack(samples: Float32Array): void {
    if (samples.length === 0) return;
    const next = new Float32Array(samples.length + this.pending.length);
    next.set(samples);
    next.set(this.pending, samples.length);
    this.pending = next;
    this.decided -= samples.length;
    this.interimAt = 0;
  }

  private take(count: number): LiveChunk {
    this.interimAt = 0;
    const samples = this.pending.slice(0, count);
    this.pending = this.pending.slice(count);
    const from = this.decided;
    this.decided += samples.length;
    return { samples, from, to: this.decided };
  }
}
