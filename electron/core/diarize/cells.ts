/**
 * What the classical diarizer keeps of the audio: for every 0.1 s "cell", the count, sum and sum of squares of the
 * MFCCs of its audible frames, and their summed log energy. Any stretch's Gaussian statistics are sums of cells, so
 * the audio itself can go as soon as its frames are analysed: 2 hours cost 72,000 cells × 40 floats ≈ 12 MB.
 */
import { HOP, N_CEPS } from './mfcc.ts';

export const CELL_SECONDS = 0.1;
/** Layout of one cell: [count, energySum, sum × N_CEPS, sumSq × N_CEPS]. */
const STRIDE = 2 + 2 * N_CEPS;
const PAGE = 4096;
/** Frames quieter than this (mean power, natural log; about -60 dBFS) carry no voice to describe. */
export const SILENT_LOG_ENERGY = Math.log(1e-6);

export class FeatureCells {
  private readonly pages: Float32Array[] = [];
  /** Cells written so far. */
  length = 0;

  addFrame(frameIndex: number, logEnergy: number, ceps: Float64Array): void {
    if (logEnergy < SILENT_LOG_ENERGY) return;
    // A frame belongs to the cell holding its centre.
    const cell = Math.floor((frameIndex * HOP + 200) / (16000 * CELL_SECONDS));
    const page = this.page(cell);
    const o = (cell % PAGE) * STRIDE;
    page[o] += 1;
    page[o + 1] += logEnergy;
    for (let j = 0; j < N_CEPS; j++) {
      page[o + 2 + j] += ceps[j];
      page[o + 2 + N_CEPS + j] += ceps[j] * ceps[j];
    }
  }

  /** Marks that audio up to `seconds` has been analysed (cells with no audible frame still exist). */
  extendTo(seconds: number): void {
    const cells = Math.floor(seconds / CELL_SECONDS);
    if (cells > 0) this.page(cells - 1);
  }

  count(cell: number): number {
    return this.row(cell)?.[0] ?? 0;
  }

  meanEnergy(cell: number): number {
    const r = this.row(cell);
    return r && r[0] > 0 ? r[1] / r[0] : Number.NEGATIVE_INFINITY;
  }

  /** Adds cells [from, to) into `acc` = [count, sum × N_CEPS, sumSq × N_CEPS]. */
  accumulate(from: number, to: number, acc: Float64Array): void {
    for (let c = Math.max(0, from); c < Math.min(to, this.length); c++) {
      const page = this.pages[Math.floor(c / PAGE)];
      const o = (c % PAGE) * STRIDE;
      if (page[o] === 0) continue;
      acc[0] += page[o];
      for (let j = 0; j < 2 * N_CEPS; j++) acc[1 + j] += page[o + 2 + j];
    }
  }

  private row(cell: number): Float32Array | undefined {
    if (cell < 0 || cell >= this.length) return undefined;
    const page = this.pages[Math.floor(cell / PAGE)];
    return page.subarray((cell % PAGE) * STRIDE, (cell % PAGE) * STRIDE + STRIDE);
  }

  private page(cell: number): Float32Array {
    const p = Math.floor(cell / PAGE);
    while (this.pages.length <= p) this.pages.push(new Float32Array(PAGE * STRIDE));
    this.length = Math.max(this.length, cell + 1);
    return this.pages[p];
  }
}

/** Size of an accumulator for `FeatureCells.accumulate`. */
export const STATS_SIZE = 1 + 2 * N_CEPS;
