/**
 * Mixed-radix complex FFT for the composite sizes Whisper uses (n_fft 400 = 2^4·5^2). A naive 400-point DFT per
 * frame would cost ~25× more; this recursive Cooley–Tukey with precomputed twiddles keeps a 30 s window at a few ms.
 */
export class MixedRadixFft {
  readonly n: number;
  private readonly factors: number[];
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly scratchRe: Float64Array;
  private readonly scratchIm: Float64Array;
  // Shared by all butterflies: sub-transforms finish before a level's butterflies start.
  private readonly butterflyRe: Float64Array;
  private readonly butterflyIm: Float64Array;

  constructor(n: number) {
    this.n = n;
    this.factors = factorize(n);
    this.cos = new Float64Array(n);
    this.sin = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / n);
      this.sin[k] = -Math.sin((2 * Math.PI * k) / n);
    }
    this.scratchRe = new Float64Array(n);
    this.scratchIm = new Float64Array(n);
    const largest = Math.max(1, ...this.factors);
    this.butterflyRe = new Float64Array(largest);
    this.butterflyIm = new Float64Array(largest);
  }

  /** In-place forward transform of (re, im). */
  transform(re: Float64Array, im: Float64Array): void {
    this.recurse(re, im, 0, 1, this.n, 0, this.scratchRe, this.scratchIm, 0);
    re.set(this.scratchRe);
    im.set(this.scratchIm);
  }

  /**
   * Writes the DFT of the `size` elements x[offset + j·stride] into out[outOffset .. outOffset + size).
   * `depth` indexes the radix to split by.
   */
  private recurse(
    re: Float64Array,
    im: Float64Array,
    offset: number,
    stride: number,
    size: number,
    depth: number,
    outRe: Float64Array,
    outIm: Float64Array,
    outOffset: number,
  ): void {
    if (size === 1) {
      outRe[outOffset] = re[offset];
      outIm[outOffset] = im[offset];
      return;
    }
    const p = this.factors[depth];
    const m = size / p;
    // Sub-transforms land contiguously: Y_r occupies out[outOffset + r·m, + m).
    for (let r = 0; r < p; r++) {
      this.recurse(re, im, offset + r * stride, stride * p, m, depth + 1, outRe, outIm, outOffset + r * m);
    }
    // Butterflies: X[k + m·q] = Σ_r W_size^{r(k + m q)} Y_r[k]. Twiddle index in the n-table is scaled by n/size.
    const scale = this.n / size;
    const tr = this.butterflyRe;
    const ti = this.butterflyIm;
    for (let k = 0; k < m; k++) {
      for (let r = 0; r < p; r++) {
        tr[r] = outRe[outOffset + r * m + k];
        ti[r] = outIm[outOffset + r * m + k];
      }
      for (let q = 0; q < p; q++) {
        const kk = k + m * q;
        let sr = 0;
        let si = 0;
        for (let r = 0; r < p; r++) {
          const idx = ((r * kk) % size) * scale;
          const c = this.cos[idx];
          const s = this.sin[idx];
          sr += tr[r] * c - ti[r] * s;
          si += tr[r] * s + ti[r] * c;
        }
        outRe[outOffset + kk] = sr;
        outIm[outOffset + kk] = si;
      }
    }
  }
}

function factorize(n: number): number[] {
  const out: number[] = [];
  let rest = n;
  for (const p of [4, 2, 3, 5]) {
    while (rest % p === 0) {
      out.push(p);
      rest /= p;
    }
  }
  for (let p = 7; rest > 1; p += 2) {
    while (rest % p === 0) {
      out.push(p);
      rest /= p;
    }
  }
  return out;
}
