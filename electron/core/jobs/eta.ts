/**
 * ETA from measured speed, not from guesses: the rate is the progress made over the last few seconds of real work,
 * so a slow CPU, a busy machine or a GPU all give an honest figure. No estimate until there is enough to measure.
 */
export class EtaEstimator {
  private samples: { t: number; p: number }[] = [];

  constructor(
    private readonly windowMs = 15_000,
    private readonly minSpanMs = 1_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  reset(): void {
    this.samples = [];
  }

  /** Records overall progress (0..1) and returns seconds left, or undefined while not measurable. */
  update(progress: number): number | undefined {
    const t = this.now();
    this.samples.push({ t, p: progress });
    while (this.samples.length > 2 && t - this.samples[0].t > this.windowMs) this.samples.shift();
    const first = this.samples[0];
    const span = t - first.t;
    const moved = progress - first.p;
    if (span < this.minSpanMs || moved <= 0) return undefined;
    const perMs = moved / span;
    return Math.max(0, Math.round((1 - progress) / perMs / 1000));
  }
}
