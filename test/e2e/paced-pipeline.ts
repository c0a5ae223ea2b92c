/**
 * The real worker pipeline (real decoding and inference) with the pace of chosen jobs under the test's control, so
 * no end-to-end test depends on how fast the model is: a paced job delivers each "transcribing" progress report at
 * least `stepMs` after the previous one (so the queue has progress spread over time to measure an ETA from, even when
 * the model finishes in 0.2 s), and a held job finishes only once the test releases it (so "cancel while it runs" is
 * always possible). Jobs are chosen by their file's name; every other job runs untouched.
 */
import path from 'node:path';
import { EarshotError } from '../../electron/core/errors.ts';
import type {
  PipelineCallbacks,
  PipelineInput,
  PipelineOutput,
  TranscriptionPipeline,
} from '../../electron/core/jobs/types.ts';

export class PacedPipeline implements TranscriptionPipeline {
  /** File name → how many more transcribing reports to space out. */
  private readonly paced = new Map<string, number>();
  private readonly held = new Map<string, { promise: Promise<void>; release(): void }>();

  constructor(
    private readonly inner: TranscriptionPipeline,
    private readonly stepMs = 1100,
  ) {}

  /**
   * Spread the transcribing progress of jobs for this file name over time: the first `steps` reports (all of them by
   * default), each at least `stepMs` after the one before; the rest arrive as the model makes them.
   */
  pace(name: string, steps = Number.POSITIVE_INFINITY): void {
    this.paced.set(name, steps);
  }

  /** Jobs for this file name do not finish until `release(name)` (a cancel still ends them at once). */
  hold(name: string): void {
    let release = () => {};
    const promise = new Promise<void>((r) => {
      release = r;
    });
    this.held.set(name, { promise, release });
  }

  release(name: string): void {
    this.held.get(name)?.release();
    this.held.delete(name);
  }

  async run(input: PipelineInput, cb: PipelineCallbacks): Promise<PipelineOutput> {
    const name = path.basename(input.source.value.split('?')[0]);
    const paced = this.paced.has(name);
    let steps = this.paced.get(name) ?? 0;
    const hold = this.held.get(name)?.promise;
    if (!paced && !hold) return this.inner.run(input, cb);
    let chain = Promise.resolve();
    const later = (deliver: () => void, wait: boolean) => {
      chain = chain.then(async () => {
        if (wait) await new Promise((r) => setTimeout(r, this.stepMs));
        if (!cb.signal.aborted) deliver();
      });
    };
    const out = await this.inner.run(input, {
      signal: cb.signal,
      onStage: (stage, f) => later(() => cb.onStage(stage, f), stage === 'transcribing' && steps-- > 0),
      onDevice: (d) => later(() => cb.onDevice(d), false),
      onDuration: (s) => later(() => cb.onDuration(s), false),
      onSegment: cb.onSegment && ((s) => later(() => cb.onSegment?.(s), false)),
      onResume: cb.onResume && ((s) => later(() => cb.onResume?.(s), false)),
    });
    const cancelled = new Promise<void>((r) => {
      if (cb.signal.aborted) r();
      cb.signal.addEventListener('abort', () => r(), { once: true });
    });
    await Promise.race([chain.then(() => hold), cancelled]);
    if (cb.signal.aborted) throw new EarshotError('CANCELLED', 'Cancelled by the user');
    return out;
  }

  dispose(): Promise<void> {
    for (const name of [...this.held.keys()]) this.release(name);
    return this.inner.dispose();
  }
}
