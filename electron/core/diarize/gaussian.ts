/**
 * Diagonal Gaussians over MFCCs (from summed statistics) and the distances the classical diarizer uses between them.
 */
import { N_CEPS } from './mfcc.ts';

export interface Gaussian {
  /** Frames behind the estimate. */
  frames: number;
  mean: Float64Array;
  variance: Float64Array;
}

/** Variance floor, relative to the whole recording's (normalised) variance of 1: keeps tiny stretches sane. */
const VARIANCE_FLOOR = 0.05;

/**
 * The Gaussian of `acc` = [count, sum × D, sumSq × D], in the recording's normalised coordinates (each coefficient
 * shifted by `norm.mean` and scaled by `norm.std`), so that every coefficient weighs the same.
 */
export function gaussianOf(acc: Float64Array, norm?: { mean: Float64Array; std: Float64Array }): Gaussian {
  const n = Math.max(1, acc[0]);
  const mean = new Float64Array(N_CEPS);
  const variance = new Float64Array(N_CEPS);
  for (let j = 0; j < N_CEPS; j++) {
    const m = acc[1 + j] / n;
    const v = Math.max(0, acc[1 + N_CEPS + j] / n - m * m);
    const s = norm ? norm.std[j] : 1;
    mean[j] = (m - (norm ? norm.mean[j] : 0)) / s;
    variance[j] = Math.max(VARIANCE_FLOOR, v / (s * s));
  }
  return { frames: acc[0], mean, variance };
}

/** Symmetric Kullback–Leibler divergence between diagonal Gaussians, per coefficient. */
export function divergence(a: Gaussian, b: Gaussian): number {
  let sum = 0;
  for (let j = 0; j < N_CEPS; j++) {
    const va = a.variance[j];
    const vb = b.variance[j];
    const dm = a.mean[j] - b.mean[j];
    sum += va / vb + vb / va - 2 + dm * dm * (1 / va + 1 / vb);
  }
  return sum / (2 * N_CEPS);
}

/** Per-coefficient mean and standard deviation of `acc` (the whole recording's speech), for normalisation. */
export function normaliser(acc: Float64Array): { mean: Float64Array; std: Float64Array } {
  const n = Math.max(1, acc[0]);
  const mean = new Float64Array(N_CEPS);
  const std = new Float64Array(N_CEPS);
  for (let j = 0; j < N_CEPS; j++) {
    mean[j] = acc[1 + j] / n;
    std[j] = Math.sqrt(Math.max(1e-6, acc[1 + N_CEPS + j] / n - mean[j] * mean[j]));
  }
  return { mean, std };
}
