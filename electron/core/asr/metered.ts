/**
 * A transcription paid for as it goes (the quota policy is core/license/quota.ts): each finished segment is kept once
 * the audio up to its end is paid for; when the quota runs out, `finish` fires (the caller stops feeding audio) and
 * later segments are dropped. Used by the desktop's queue (segments arrive from the job worker) and the CLI.
 */
import { keepSegmentsUntil } from './result-text.ts';
import type { Segment, TranscriptResult } from './types.ts';

/** Charges audio as it is transcribed: core/license/quota.ts's AudioMeter. */
export interface UsageMeter {
  /** A resumed job: the audio before `seconds` was paid for by the earlier run. */
  skipTo(seconds: number): void;
  /** Pays up to `seconds` into the recording; false once the quota is used up (the work then stops). */
  advanceTo(seconds: number): Promise<boolean>;
  /** The QUOTA_EXCEEDED error once the quota ran out. */
  readonly exceeded: Error | undefined;
}

/** The audio chunks until `finish` fires; then the stream simply ends, and the model finishes what it was given. */
export async function* untilFinished(
  chunks: AsyncIterable<Float32Array>,
  finish?: AbortSignal,
): AsyncGenerator<Float32Array> {
  if (finish?.aborted) return;
  for await (const chunk of chunks) {
    yield chunk;
    if (finish?.aborted) return;
  }
}

export class MeteredSegments {
  private charging: Promise<void> = Promise.resolve();
  private failure: unknown;
  private paidEnd = 0;
  /** Finished segments whose charge is not written yet (a full disk): taken once a later charge is written. */
  private unpaid: Segment[] = [];

  constructor(
    private readonly meter: UsageMeter,
    private readonly finish: AbortController,
    /** Receives each segment once it is paid for, in order. */
    private readonly take: (segment: Segment) => void = () => {},
  ) {}

  /** QUOTA_EXCEEDED once the quota ran out. */
  get exceeded(): Error | undefined {
    return this.meter.exceeded;
  }

  /** Where the paid transcript ends (seconds into the recording). */
  get paidUpTo(): number {
    return this.paidEnd;
  }

  skipTo(seconds: number): void {
    this.meter.skipTo(seconds);
    this.paidEnd = Math.max(this.paidEnd, seconds);
  }

  /** Queues a finished segment's charge (charges run in order, off the caller's path). */
  add(segment: Segment): void {
    this.charging = this.charging.then(async () => {
      if (this.finish.signal.aborted) return;
      this.unpaid.push(segment);
      try {
        if (await this.meter.advanceTo(segment.end)) {
          this.paidEnd = segment.end;
          for (const paid of this.unpaid.splice(0)) this.take(paid);
        } else this.finish.abort();
      } catch (e) {
        // A full disk: the charge cannot be written yet. The work goes on; its segments wait, unpaid, and the next
        // charge (which owes everything since the last one written) or `settle` pays for them. Nothing is handed out
        // before it is paid for.
        if (isDiskFull(e)) return;
        // Any other failure to write the charge stops the work (and fails it with this error) rather than run unpaid.
        this.failure ??= e;
        this.finish.abort();
      }
    });
  }

  /**
   * Waits for the charges, pays for the audio after the last segment, and cuts the result to what was paid. Rejects
   * with DISK_FULL while the charge cannot be written: the caller keeps the result unpaid and calls `settle` again.
   */
  async settle(result: TranscriptResult): Promise<TranscriptResult> {
    await this.charging;
    if (this.failure) throw this.failure;
    if (!this.finish.signal.aborted && (await this.meter.advanceTo(result.duration))) return result;
    return keepSegmentsUntil(result, this.paidEnd);
  }
}

function isDiskFull(e: unknown): boolean {
  return (e as { code?: unknown } | undefined)?.code === 'DISK_FULL';
}
