/**
 * WeSpeaker's input features, computed as transformers.js' WeSpeakerFeatureExtractor does (our parity test holds us
 * within 1e-4 of it): samples scaled to 16-bit range, 25 ms frames every 10 ms without padding (Kaldi's
 * snip_edges), DC offset removed per frame, pre-emphasis 0.97, Hamming window (symmetric), 512-point power spectrum,
 * 80 triangular filters spaced on Kaldi's mel scale between 20 Hz and 8 kHz (triangles drawn in mel space), natural
 * log floored at float32 epsilon; at least `minFrames` frames (zero frames appended); then every bin centred on its
 * mean over the frames.
 */
import { Fft } from '../../asr/whisper/fft.ts';

const FRAME = 400;
const HOP = 160;
const N_FFT = 512;
const BINS = N_FFT / 2 + 1;
const MEL_FLOOR = 1.192092955078125e-7;

interface Filter {
  from: number;
  weights: Float64Array;
}

function kaldiMelFilters(melBins: number, sampleRate: number): Filter[] {
  const mel = (hz: number) => 1127 * Math.log(1 + hz / 700);
  const lo = mel(20);
  const hi = mel(Math.floor(sampleRate / 2));
  const step = (hi - lo) / (melBins + 1);
  const edges = Array.from({ length: melBins + 2 }, (_, i) => lo + step * i);
  const binWidth = sampleRate / ((BINS - 1) * 2);
  const binMel = Array.from({ length: BINS }, (_, j) => mel(j * binWidth));
  return Array.from({ length: melBins }, (_, i) => {
    const w = new Float64Array(BINS);
    for (let j = 0; j < BINS; j++) {
      const down = (binMel[j] - edges[i]) / (edges[i + 1] - edges[i]);
      const up = (edges[i + 2] - binMel[j]) / (edges[i + 2] - edges[i + 1]);
      w[j] = Math.max(0, Math.min(down, up));
    }
    let from = 0;
    while (from < BINS && w[from] === 0) from++;
    let to = BINS;
    while (to > from && w[to - 1] === 0) to--;
    return { from, weights: w.slice(from, to) };
  });
}

export class Fbank {
  private readonly filters: Filter[];
  private readonly window = Float64Array.from(
    { length: FRAME },
    (_, i) => 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (FRAME - 1)),
  );
  private readonly fft = new Fft(N_FFT);
  private readonly re = new Float64Array(N_FFT);
  private readonly im = new Float64Array(N_FFT);
  private readonly outRe = new Float64Array(N_FFT);
  private readonly outIm = new Float64Array(N_FFT);
  private readonly power = new Float32Array(BINS);

  constructor(
    readonly melBins = 80,
    private readonly minFrames = 0,
    sampleRate = 16000,
  ) {
    this.filters = kaldiMelFilters(melBins, sampleRate);
  }

  /** Features [frames × melBins], row-major, mean-centred per bin. */
  compute(samples: Float32Array): { data: Float32Array; frames: number } {
    const count = Math.max(
      this.minFrames,
      samples.length >= FRAME ? 1 + Math.floor((samples.length - FRAME) / HOP) : 0,
    );
    const data = new Float32Array(count * this.melBins);
    const { re, im, window } = this;
    for (let f = 0; f < count; f++) {
      const at = f * HOP;
      const size = Math.max(0, Math.min(samples.length - at, FRAME));
      re.fill(0);
      im.fill(0);
      // Float32 scaling, as the reference multiplies a Float32Array (exact: a power of two).
      for (let j = 0; j < size; j++) re[j] = Math.fround(samples[at + j] * 32768);
      if (size > 0) {
        let sum = 0;
        for (let j = 0; j < size; j++) sum += re[j];
        const mean = sum / size;
        for (let j = 0; j < size; j++) re[j] -= mean;
        for (let j = size - 1; j >= 1; j--) re[j] -= 0.97 * re[j - 1];
        re[0] *= 1 - 0.97;
      }
      for (let j = 0; j < FRAME; j++) re[j] *= window[j];
      this.fft.transform(re, im, this.outRe, this.outIm);
      // The reference keeps the power spectrum in float32 before the filterbank.
      for (let k = 0; k < BINS; k++) this.power[k] = this.outRe[k] * this.outRe[k] + this.outIm[k] * this.outIm[k];
      const row = f * this.melBins;
      for (let m = 0; m < this.melBins; m++) {
        const { from, weights } = this.filters[m];
        let e = 0;
        for (let q = 0; q < weights.length; q++) e += weights[q] * this.power[from + q];
        data[row + m] = Math.log(Math.max(MEL_FLOOR, Math.fround(e)));
      }
    }
    centre(data, count, this.melBins);
    return { data, frames: count };
  }
}

function centre(data: Float32Array, frames: number, bins: number): void {
  if (frames === 0) return;
  const mean = new Float64Array(bins);
  for (let f = 0; f < frames; f++) for (let m = 0; m < bins; m++) mean[m] += data[f * bins + m];
  for (let m = 0; m < bins; m++) mean[m] /= frames;
  for (let f = 0; f < frames; f++) for (let m = 0; m < bins; m++) data[f * bins + m] -= mean[m];
}
