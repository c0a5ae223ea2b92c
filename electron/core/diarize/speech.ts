/**
 * Where the speech is, for diarization. Transcription already runs Silero VAD over the same audio (the CTC engine
 * and Whisper's batched mode, block by block); running it twice would cost about a fifth of the bundled model's whole
 * transcription time, so the transcriber's regions are taken when it reports them. Audio no one has covered yet is
 * held (a bounded amount) and, if the transcriber does not report it in time — VAD off, short inputs, sequential
 * Whisper, the already transcribed start of a resumed job — it goes through our own VAD in blocks, as the
 * transcriber would have done.
 */
import { detectSpeech } from '../audio/vad.ts';
import type { SpeechRegion } from './types.ts';

const RATE = 16000;
/** Audio given to the VAD at a time (as the transcribers do). */
const BLOCK_SECONDS = 240;
/**
 * How far audio may run ahead of the reported speech before we run the VAD ourselves: the transcribers read a block
 * plus one window (30 s) ahead of what they report.
 */
const MAX_LAG_SECONDS = BLOCK_SECONDS + 60;

export class SpeechTracker {
  readonly regions: SpeechRegion[] = [];
  /** Speech is known for [0, covered) seconds. */
  private covered = 0;
  /** Reported spans that start after `covered` (a resumed transcription skips the start): applied once reached. */
  private readonly pending: Span[] = [];
  /** Audio from `heldFrom` seconds that is not yet covered, kept for our own VAD. */
  private held: Float32Array[] = [];
  private heldSamples = 0;
  private heldFrom = 0;
  /** Total samples pushed. */
  private total = 0;

  constructor(private readonly signal?: AbortSignal) {}

  async push(chunk: Float32Array): Promise<void> {
    const start = this.total / RATE;
    this.total += chunk.length;
    // Keep only the part after what is already covered.
    const skip = Math.max(0, Math.round((this.covered - start) * RATE));
    if (skip < chunk.length) {
      if (this.heldSamples === 0) this.heldFrom = start + skip / RATE;
      this.held.push(chunk.slice(skip));
      this.heldSamples += chunk.length - skip;
    }
    while (this.heldSamples > MAX_LAG_SECONDS * RATE) await this.detectHeld();
  }

  add(span: Span): void {
    if (span.to <= this.covered) return;
    if (span.from > this.covered + 0.001) {
      this.pending.push(span);
      this.pending.sort((a, b) => a.from - b.from);
      return;
    }
    const from = Math.max(span.from, this.covered);
    for (const r of span.regions) {
      const start = Math.max(r.start, from);
      if (r.end > start) this.regions.push({ start, end: Math.min(r.end, span.to) });
    }
    this.covered = span.to;
    this.dropHeldBefore(this.covered);
    const next = this.pending[0];
    if (next && next.from <= this.covered + 0.001) this.add(this.pending.shift()!);
  }

  /** Runs our own VAD over whatever is still uncovered, then returns every region in time order. */
  async finish(): Promise<SpeechRegion[]> {
    while (this.heldSamples > 0) await this.detectHeld();
    this.regions.sort((a, b) => a.start - b.start);
    return this.regions;
  }

  /** Our own VAD over the oldest held block, up to where a reported span takes over. */
  private async detectHeld(): Promise<void> {
    const untilReported = this.pending.length
      ? Math.max(1, Math.round((this.pending[0].from - this.heldFrom) * RATE))
      : Number.POSITIVE_INFINITY;
    const n = Math.min(BLOCK_SECONDS * RATE, this.heldSamples, untilReported);
    const from = this.heldFrom;
    const audio = this.take(n);
    const found = await detectSpeech(audio, { speechPadMs: 30, minSilenceMs: 300, signal: this.signal });
    this.add({
      from,
      to: from + n / RATE,
      regions: found.map((r) => ({ start: r.start + from, end: r.end + from })),
    });
  }

  /** Removes and returns the first n held samples. */
  private take(n: number): Float32Array {
    const out = new Float32Array(n);
    let filled = 0;
    while (filled < n) {
      const head = this.held[0];
      const part = Math.min(head.length, n - filled);
      out.set(head.subarray(0, part), filled);
      filled += part;
      if (part === head.length) this.held.shift();
      else this.held[0] = head.subarray(part);
    }
    this.heldSamples -= n;
    this.heldFrom += n / RATE;
    return out;
  }

  /** Forgets held audio before `seconds` (someone else's VAD covered it). */
  private dropHeldBefore(seconds: number): void {
    let drop = Math.min(this.heldSamples, Math.max(0, Math.round((seconds - this.heldFrom) * RATE)));
    this.heldSamples -= drop;
    this.heldFrom += drop / RATE;
    while (drop > 0) {
      const head = this.held[0];
      if (head.length <= drop) {
        drop -= head.length;
        this.held.shift();
      } else {
        this.held[0] = head.subarray(drop);
        drop = 0;
      }
    }
    if (this.heldSamples === 0) this.heldFrom = Math.max(this.heldFrom, seconds);
  }
}

interface Span {
  from: number;
  to: number;
  regions: SpeechRegion[];
}
