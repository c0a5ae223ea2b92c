/**
 * Whisper's log-mel spectrogram: 30 s windows of 16 kHz audio, Hann window 400 (periodic), hop 160, reflect padding
 * (centered frames), power spectrum, mel filterbank (Slaney scale and norm, 0–8 kHz, as librosa and Whisper's
 * mel_filters.npz), log10 clamped at 1e-10, floor at max − 8, then (x + 4) / 4. 3000 frames per window.
 */
import { Fft } from './fft.ts';

export const SAMPLE_RATE = 16000;
export const N_FFT = 400;
export const HOP = 160;
export const WINDOW_SAMPLES = 30 * SAMPLE_RATE;
export const WINDOW_FRAMES = WINDOW_SAMPLES / HOP;
const BINS = N_FFT / 2 + 1;
const MEL_FLOOR = 1e-10;
const GEMM_K_BLOCK = 128;

/** Slaney-style mel filterbank, shape [nMels][201] flattened, the same numbers as librosa.filters.mel(16000, 400). */
export function melFilterBank(nMels: number, sampleRate = SAMPLE_RATE, nFft = N_FFT): Float32Array {
  const bins = nFft / 2 + 1;
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logStep = Math.log(6.4) / 27;
  const hzToMel = (hz: number) => (hz < minLogHz ? hz / fSp : minLogMel + Math.log(hz / minLogHz) / logStep);
  const melToHz = (mel: number) => (mel < minLogMel ? mel * fSp : minLogHz * Math.exp(logStep * (mel - minLogMel)));
  const maxMel = hzToMel(sampleRate / 2);
  const melF = Array.from({ length: nMels + 2 }, (_, i) => melToHz((maxMel * i) / (nMels + 1)));
  const fftFreqs = Array.from({ length: bins }, (_, i) => ((sampleRate / 2) * i) / (bins - 1));
  const out = new Float32Array(nMels * bins);
  for (let m = 0; m < nMels; m++) {
    const enorm = 2 / (melF[m + 2] - melF[m]);
    for (let f = 0; f < bins; f++) {
      const lower = (fftFreqs[f] - melF[m]) / (melF[m + 1] - melF[m]);
      const upper = (melF[m + 2] - fftFreqs[f]) / (melF[m + 2] - melF[m + 1]);
      out[m * bins + f] = Math.max(0, Math.min(lower, upper)) * enorm;
    }
  }
  return out;
}

/** Computes log-mel windows; holds the FFT plan, window and filterbank so repeated windows allocate nothing big. */
export class LogMel {
  readonly nMels: number;
  private readonly filters: Float32Array;
  /** Non-zero range of each filter row, so the filterbank product skips the zeros (~95% of the matrix). */
  private readonly ranges: [number, number][];
  private readonly hann = new Float64Array(N_FFT);
  private readonly fft = new Fft(N_FFT);
  private readonly re = new Float64Array(N_FFT);
  private readonly im = new Float64Array(N_FFT);
  private readonly outRe = new Float64Array(N_FFT);
  private readonly outIm = new Float64Array(N_FFT);
  private readonly power = new Float64Array(BINS * WINDOW_FRAMES);
  private readonly padded = new Float64Array(WINDOW_SAMPLES + N_FFT);

  constructor(nMels: number, filters?: Float32Array) {
    this.nMels = nMels;
    this.filters = filters ?? melFilterBank(nMels);
    this.ranges = [];
    for (let m = 0; m < nMels; m++) {
      let lo = BINS;
      let hi = 0;
      for (let f = 0; f < BINS; f++) {
        if (this.filters[m * BINS + f] !== 0) {
          lo = Math.min(lo, f);
          hi = f + 1;
        }
      }
      this.ranges.push([lo, Math.max(lo, hi)]);
    }
    for (let i = 0; i < N_FFT; i++) this.hann[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N_FFT);
  }

  /**
   * Features for audio[start, start + 30 s) zero-padded to 30 s, written into `out` (nMels × 3000, row-major) or a
   * new array.
   */
  window(audio: Float32Array, start = 0, out?: Float32Array): Float32Array {
    const half = N_FFT / 2;
    const padded = this.padded;
    padded.fill(0);
    const n = Math.max(0, Math.min(WINDOW_SAMPLES, audio.length - start));
    for (let i = 0; i < n; i++) padded[half + i] = audio[start + i];
    // Reflect padding on both sides (torch.stft center=True), over the already zero-padded 30 s signal.
    for (let i = 1; i <= half; i++) {
      padded[half - i] = padded[half + i];
      padded[half + WINDOW_SAMPLES - 1 + i] = padded[half + WINDOW_SAMPLES - 1 - i];
    }
    // Two real frames per complex transform: frame t in the real part, frame t + 1 in the imaginary part.
    const { re, im, outRe, outIm, power } = this;
    for (let t = 0; t < WINDOW_FRAMES; t += 2) {
      const a = t * HOP;
      const b = a + HOP;
      const second = t + 1 < WINDOW_FRAMES;
      for (let i = 0; i < N_FFT; i++) {
        re[i] = padded[a + i] * this.hann[i];
        im[i] = second ? padded[b + i] * this.hann[i] : 0;
      }
      this.fft.transform(re, im, outRe, outIm);
      for (let f = 0; f < BINS; f++) {
        const g = f === 0 ? 0 : N_FFT - f;
        // X_a = (Z[f] + conj Z[n-f]) / 2, X_b = (Z[f] − conj Z[n-f]) / 2i
        const ar = (outRe[f] + outRe[g]) / 2;
        const ai = (outIm[f] - outIm[g]) / 2;
        const br = (outIm[f] + outIm[g]) / 2;
        const bi = (outRe[g] - outRe[f]) / 2;
        power[t * BINS + f] = Math.fround(ar * ar + ai * ai);
        if (second) power[(t + 1) * BINS + f] = Math.fround(br * br + bi * bi);
      }
    }
    const mel = out ?? new Float32Array(this.nMels * WINDOW_FRAMES);
    let max = -Infinity;
    for (let m = 0; m < this.nMels; m++) {
      const [lo, hi] = this.ranges[m];
      const row = m * WINDOW_FRAMES;
      for (let t = 0; t < WINDOW_FRAMES; t++) {
        // Rounded like onnxruntime's float32 GEMM (which the reference uses for this product): fused multiply-adds
        // in frequency order, in blocks of 128 bins summed at the end. Features then match the reference bit for
        // bit on this CPU instead of within 1e-7, so greedy decoding cannot flip on a near-tie between two logits.
        let sum = 0;
        let block = 0;
        for (let f = lo; f < hi; f++) {
          if (f % GEMM_K_BLOCK === 0 && f > lo) {
            block = Math.fround(block + sum);
            sum = 0;
          }
          sum = Math.fround(this.filters[m * BINS + f] * power[t * BINS + f] + sum);
        }
        sum = Math.fround(block + sum);
        const v = Math.fround(Math.log10(Math.fround(Math.max(MEL_FLOOR, sum))));
        mel[row + t] = v;
        if (v > max) max = v;
      }
    }
    const floor = max - 8;
    for (let i = 0; i < mel.length; i++) mel[i] = (Math.max(mel[i], floor) + 4) / 4;
    return mel;
  }
}
