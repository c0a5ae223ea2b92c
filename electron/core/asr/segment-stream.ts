/**
 * A TranscriptionRun, shared by every model family: segments are pushed as windows finish and can be consumed with
 * `for await`, or collected by `result()`. The work starts at once; iteration only observes it.
 */
import type { Segment, TranscriptionRun, TranscriptResult } from './types.ts';

export class SegmentStream implements TranscriptionRun {
  private readonly segments: Segment[] = [];
  private waiters: (() => void)[] = [];
  private finished = false;
  private failure: unknown = null;
  private readonly done: Promise<TranscriptResult>;

  constructor(
    work: (emit: (segment: Omit<Segment, 'id'>) => void) => Promise<Omit<TranscriptResult, 'segments' | 'text'>>,
  ) {
    this.done = work((s) => {
      this.segments.push({ id: this.segments.length, ...s });
      this.wake();
    }).then(
      (meta) => {
        this.finished = true;
        this.wake();
        return {
          ...meta,
          segments: this.segments,
          text: this.segments
            .map((s) => s.text)
            .join('')
            .trim(),
        };
      },
      (e) => {
        this.finished = true;
        this.failure = e;
        this.wake();
        throw e;
      },
    );
    // A run nobody awaits must not crash the process with an unhandled rejection; result() still rejects.
    this.done.catch(() => {});
  }

  result(): Promise<TranscriptResult> {
    return this.done;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Segment> {
    let next = 0;
    while (true) {
      if (next < this.segments.length) {
        yield this.segments[next++];
        continue;
      }
      if (this.finished) {
        if (this.failure) throw this.failure;
        return;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
