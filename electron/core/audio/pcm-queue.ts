/**
 * A bounded hand-over of PCM chunks from a decoder to one consumer. The decoder pushes; when the queue holds more
 * than `highWaterSamples` it is told to pause (push returns false) and `onDrain` fires once the consumer catches up,
 * so a slow consumer never makes a 2-hour decode pile up in memory.
 */
export class PcmQueue implements AsyncIterable<Float32Array> {
  private readonly items: Float32Array[] = [];
  private queued = 0;
  private done = false;
  private error: unknown = null;
  private wake: (() => void) | null = null;
  private paused = false;

  constructor(
    private readonly highWaterSamples: number,
    private readonly onDrain: () => void,
    /** Called each time the consumer takes a chunk (the wasm decoder uses it for its own flow control). */
    private readonly onTake: () => void = () => {},
  ) {}

  push(chunk: Float32Array): boolean {
    if (this.done) return true;
    if (chunk.length > 0) {
      this.items.push(chunk);
      this.queued += chunk.length;
      this.signal();
    }
    if (this.queued > this.highWaterSamples) this.paused = true;
    return !this.paused;
  }

  /** Ends the stream; with an error, the consumer gets the error next instead of any chunks still queued. */
  end(error?: unknown): void {
    if (this.done) return;
    this.done = true;
    if (error !== undefined) {
      this.error = error;
      // A failed decode's partial output is useless to the caller: drop it so the error surfaces at once.
      this.items.length = 0;
      this.queued = 0;
    }
    this.signal();
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Float32Array> {
    for (;;) {
      const chunk = this.items.shift();
      if (chunk) {
        this.queued -= chunk.length;
        this.onTake();
        if (this.paused && this.queued <= this.highWaterSamples / 2) {
          this.paused = false;
          this.onDrain();
        }
        yield chunk;
        continue;
      }
      if (this.error !== null) throw this.error;
      if (this.done) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }
}
