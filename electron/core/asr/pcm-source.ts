/**
 * Where the engine reads audio from: a whole array, or a stream of chunks (a decoder's output) held in a rolling
 * buffer. The transcribers ask for the samples they need next and release what is behind them, so a stream costs
 * a few windows of memory whatever its length.
 */
export interface PcmSource {
  /** Buffers samples up to `end` (fewer if the input ends first). */
  fill(end: number): Promise<void>;
  /** Samples [start, end), clamped to what is available; `start` must not be before the released point. */
  view(start: number, end: number): Float32Array;
  /** Samples before `before` will not be asked for again. */
  release(before: number): void;
  /** Samples seen so far. */
  readonly available: number;
  /** True once the input has ended (then `available` is the total). */
  readonly ended: boolean;
  /** Expected total for progress: exact for arrays, the caller's estimate (or what is known so far) for streams. */
  readonly expected: number;
}

export class ArraySource implements PcmSource {
  readonly ended = true;
  constructor(private readonly samples: Float32Array) {}
  get available(): number {
    return this.samples.length;
  }
  get expected(): number {
    return this.samples.length;
  }
  async fill(): Promise<void> {}
  view(start: number, end: number): Float32Array {
    return this.samples.subarray(start, Math.min(end, this.samples.length));
  }
  release(): void {}
}

export class StreamSource implements PcmSource {
  private buffer = new Float32Array(16000 * 60);
  /** Absolute index of buffer[0]. */
  private base = 0;
  private length = 0;
  private done = false;
  private readonly iterator: AsyncIterator<Float32Array>;

  constructor(
    chunks: AsyncIterable<Float32Array>,
    private readonly hint = 0,
  ) {
    this.iterator = chunks[Symbol.asyncIterator]();
  }

  get available(): number {
    return this.base + this.length;
  }
  get ended(): boolean {
    return this.done;
  }
  get expected(): number {
    return this.done ? this.available : Math.max(this.hint, this.available);
  }
  /** Samples held in memory now (what has arrived and not been released). */
  get buffered(): number {
    return this.length;
  }

  async fill(end: number): Promise<void> {
    while (!this.done && this.available < end) {
      const next = await this.iterator.next();
      if (next.done) this.done = true;
      else this.append(next.value);
    }
  }

  view(start: number, end: number): Float32Array {
    if (start < this.base) throw new Error(`samples before ${this.base} were released (asked for ${start})`);
    return this.buffer.subarray(start - this.base, Math.min(end, this.available) - this.base);
  }

  release(before: number): void {
    const drop = Math.min(this.length, Math.max(0, before - this.base));
    if (drop === 0) return;
    this.buffer.copyWithin(0, drop, this.length);
    this.base += drop;
    this.length -= drop;
  }

  private append(chunk: Float32Array): void {
    if (this.length + chunk.length > this.buffer.length) {
      const grown = new Float32Array(Math.max(this.buffer.length * 2, this.length + chunk.length));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.buffer.set(chunk, this.length);
    this.length += chunk.length;
  }
}
