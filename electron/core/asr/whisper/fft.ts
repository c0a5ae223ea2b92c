/**
 * Complex FFT for Whisper's n_fft = 400 (and any size made of 2, 3, 4, 5 factors): recursive decimation in time with
 * per-level twiddle tables and small fixed-radix butterflies, leaves computed straight from the strided input.
 * Measured ~6× faster than a generic mixed-radix loop; the mel front end would otherwise cost more than the encoder
 * of small models. Two real frames go through one complex transform (real in re, imaginary in im) and are split
 * afterwards (see LogMel).
 */
export class Fft {
  readonly n: number;
  private readonly radices: number[];
  /** Per level: cos/sin of W_size^(r·k) for r = 1..p-1, k = 0..m-1, laid out [r-1][k]. */
  private readonly twCos: Float64Array[] = [];
  private readonly twSin: Float64Array[] = [];
  /** cos/sin of 2π j / p for the small DFTs, keyed by p. */
  private readonly small = new Map<number, { c: Float64Array; s: Float64Array }>();
  private readonly aRe = new Float64Array(8);
  private readonly aIm = new Float64Array(8);

  constructor(n: number) {
    this.n = n;
    this.radices = factorize(n);
    let size = n;
    for (const p of this.radices) {
      const m = size / p;
      const c = new Float64Array((p - 1) * m);
      const s = new Float64Array((p - 1) * m);
      for (let r = 1; r < p; r++) {
        for (let k = 0; k < m; k++) {
          const angle = (-2 * Math.PI * r * k) / size;
          c[(r - 1) * m + k] = Math.cos(angle);
          s[(r - 1) * m + k] = Math.sin(angle);
        }
      }
      this.twCos.push(c);
      this.twSin.push(s);
      if (!this.small.has(p)) {
        const sc = new Float64Array(p);
        const ss = new Float64Array(p);
        for (let j = 0; j < p; j++) {
          sc[j] = Math.cos((-2 * Math.PI * j) / p);
          ss[j] = Math.sin((-2 * Math.PI * j) / p);
        }
        this.small.set(p, { c: sc, s: ss });
      }
      size = m;
    }
  }

  /** out = DFT(in); `in` and `out` must be different arrays. */
  transform(inRe: Float64Array, inIm: Float64Array, outRe: Float64Array, outIm: Float64Array): void {
    this.level(inRe, inIm, 0, 1, this.n, outRe, outIm, 0, 0);
  }

  private level(
    inRe: Float64Array,
    inIm: Float64Array,
    inOff: number,
    stride: number,
    size: number,
    outRe: Float64Array,
    outIm: Float64Array,
    outOff: number,
    depth: number,
  ): void {
    const p = this.radices[depth];
    const m = size / p;
    const { c: sc, s: ss } = this.small.get(p) as { c: Float64Array; s: Float64Array };
    const aRe = this.aRe;
    const aIm = this.aIm;
    if (m === 1) {
      // Leaf: a p-point DFT straight from the strided input.
      if (p === 5) {
        for (let r = 0; r < 5; r++) {
          aRe[r] = inRe[inOff + r * stride];
          aIm[r] = inIm[inOff + r * stride];
        }
        dft5(aRe, aIm, outRe, outIm, outOff, 1);
        return;
      }
      for (let q = 0; q < p; q++) {
        let sr = 0;
        let si = 0;
        for (let r = 0; r < p; r++) {
          const j = (r * q) % p;
          const xr = inRe[inOff + r * stride];
          const xi = inIm[inOff + r * stride];
          sr += xr * sc[j] - xi * ss[j];
          si += xr * ss[j] + xi * sc[j];
        }
        outRe[outOff + q] = sr;
        outIm[outOff + q] = si;
      }
      return;
    }
    for (let r = 0; r < p; r++) {
      this.level(inRe, inIm, inOff + r * stride, stride * p, m, outRe, outIm, outOff + r * m, depth + 1);
    }
    const tc = this.twCos[depth];
    const ts = this.twSin[depth];
    for (let k = 0; k < m; k++) {
      aRe[0] = outRe[outOff + k];
      aIm[0] = outIm[outOff + k];
      for (let r = 1; r < p; r++) {
        const xr = outRe[outOff + r * m + k];
        const xi = outIm[outOff + r * m + k];
        const c = tc[(r - 1) * m + k];
        const s = ts[(r - 1) * m + k];
        aRe[r] = xr * c - xi * s;
        aIm[r] = xr * s + xi * c;
      }
      if (p === 4) {
        // Radix 4 with W4 = −i.
        const t0r = aRe[0] + aRe[2];
        const t0i = aIm[0] + aIm[2];
        const t1r = aRe[0] - aRe[2];
        const t1i = aIm[0] - aIm[2];
        const t2r = aRe[1] + aRe[3];
        const t2i = aIm[1] + aIm[3];
        const t3r = aRe[1] - aRe[3];
        const t3i = aIm[1] - aIm[3];
        outRe[outOff + k] = t0r + t2r;
        outIm[outOff + k] = t0i + t2i;
        outRe[outOff + k + m] = t1r + t3i;
        outIm[outOff + k + m] = t1i - t3r;
        outRe[outOff + k + 2 * m] = t0r - t2r;
        outIm[outOff + k + 2 * m] = t0i - t2i;
        outRe[outOff + k + 3 * m] = t1r - t3i;
        outIm[outOff + k + 3 * m] = t1i + t3r;
      } else if (p === 5) {
        dft5(aRe, aIm, outRe, outIm, outOff + k, m);
      } else {
        for (let q = 0; q < p; q++) {
          let sr = 0;
          let si = 0;
          for (let r = 0; r < p; r++) {
            const j = (r * q) % p;
            sr += aRe[r] * sc[j] - aIm[r] * ss[j];
            si += aRe[r] * ss[j] + aIm[r] * sc[j];
          }
          outRe[outOff + k + q * m] = sr;
          outIm[outOff + k + q * m] = si;
        }
      }
    }
  }
}

const C1 = Math.cos((2 * Math.PI) / 5);
const C2 = Math.cos((4 * Math.PI) / 5);
const S1 = Math.sin((2 * Math.PI) / 5);
const S2 = Math.sin((4 * Math.PI) / 5);

/** 5-point forward DFT of a[0..4] into out[off + q·step], using the symmetric pairs (8 real multiplications). */
function dft5(
  aRe: Float64Array,
  aIm: Float64Array,
  outRe: Float64Array,
  outIm: Float64Array,
  off: number,
  step: number,
) {
  const b1r = aRe[1] + aRe[4];
  const b1i = aIm[1] + aIm[4];
  const b2r = aRe[2] + aRe[3];
  const b2i = aIm[2] + aIm[3];
  const d1r = aRe[1] - aRe[4];
  const d1i = aIm[1] - aIm[4];
  const d2r = aRe[2] - aRe[3];
  const d2i = aIm[2] - aIm[3];
  const t1r = aRe[0] + C1 * b1r + C2 * b2r;
  const t1i = aIm[0] + C1 * b1i + C2 * b2i;
  const t2r = aRe[0] + C2 * b1r + C1 * b2r;
  const t2i = aIm[0] + C2 * b1i + C1 * b2i;
  const u1r = S1 * d1r + S2 * d2r;
  const u1i = S1 * d1i + S2 * d2i;
  const u2r = S2 * d1r - S1 * d2r;
  const u2i = S2 * d1i - S1 * d2i;
  outRe[off] = aRe[0] + b1r + b2r;
  outIm[off] = aIm[0] + b1i + b2i;
  outRe[off + step] = t1r + u1i;
  outIm[off + step] = t1i - u1r;
  outRe[off + 2 * step] = t2r + u2i;
  outIm[off + 2 * step] = t2i - u2r;
  outRe[off + 3 * step] = t2r - u2i;
  outIm[off + 3 * step] = t2i + u2r;
  outRe[off + 4 * step] = t1r - u1i;
  outIm[off + 4 * step] = t1i + u1r;
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
  if (rest !== 1) throw new Error(`FFT size ${n} must factor into 2, 3, 4 and 5`);
  return out;
}
