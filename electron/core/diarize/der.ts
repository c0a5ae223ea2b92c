/**
 * Diarization error rate, as NIST md-eval scores it for non-overlapping references: time within `collar` seconds of
 * any reference turn boundary is not scored; hypothesis speakers are mapped one-to-one onto reference speakers to
 * maximise agreement (Hungarian algorithm); DER = (missed speech + false alarm + speaker confusion) / scored speech.
 * Computed on a 10 ms grid. Used by the tests and the benchmark, and by anyone checking a result against a reference.
 */
import type { SpeakerTurn } from './types.ts';

const STEP = 0.01;

export interface DerReport {
  der: number;
  missed: number;
  falseAlarm: number;
  confusion: number;
  /** Seconds of scored reference speech. */
  scored: number;
}

export function diarizationErrorRate(reference: SpeakerTurn[], hypothesis: SpeakerTurn[], collar = 0.25): DerReport {
  const end = Math.max(0, ...reference.map((t) => t.end), ...hypothesis.map((t) => t.end));
  const n = Math.ceil(end / STEP) + 1;
  const refIds = new Map<string, number>();
  const hypIds = new Map<string, number>();
  const ref = paint(reference, n, refIds);
  const hyp = paint(hypothesis, n, hypIds);
  const scored = new Uint8Array(n).fill(1);
  for (const t of reference) {
    for (const edge of [t.start, t.end]) {
      const a = Math.max(0, Math.ceil((edge - collar) / STEP));
      const b = Math.min(n, Math.floor((edge + collar) / STEP));
      scored.fill(0, a, b);
    }
  }
  const overlap = Array.from({ length: refIds.size }, () => new Float64Array(hypIds.size));
  let speech = 0;
  let missed = 0;
  let falseAlarm = 0;
  let both = 0;
  for (let i = 0; i < n; i++) {
    if (!scored[i]) continue;
    const r = ref[i];
    const h = hyp[i];
    if (r >= 0) speech++;
    if (r >= 0 && h < 0) missed++;
    else if (r < 0 && h >= 0) falseAlarm++;
    else if (r >= 0 && h >= 0) {
      both++;
      overlap[r][h]++;
    }
  }
  const agreed = bestAssignment(overlap);
  const confusion = both - agreed;
  const den = Math.max(1, speech);
  return {
    der: (missed + falseAlarm + confusion) / den,
    missed: missed / den,
    falseAlarm: falseAlarm / den,
    confusion: confusion / den,
    scored: speech * STEP,
  };
}

/** Speaker index per grid step, -1 for none. */
function paint(turns: SpeakerTurn[], n: number, ids: Map<string, number>): Int32Array {
  const out = new Int32Array(n).fill(-1);
  for (const t of turns) {
    if (!ids.has(t.speaker)) ids.set(t.speaker, ids.size);
    out.fill(ids.get(t.speaker)!, Math.max(0, Math.round(t.start / STEP)), Math.min(n, Math.round(t.end / STEP)));
  }
  return out;
}

/** Largest total of `gain[r][h]` over one-to-one pairings (Hungarian algorithm on the negated, squared-up matrix). */
export function bestAssignment(gain: Float64Array[]): number {
  const rows = gain.length;
  const cols = rows ? gain[0].length : 0;
  const size = Math.max(rows, cols);
  if (size === 0) return 0;
  let max = 0;
  for (const row of gain) for (const v of row) max = Math.max(max, v);
  const cost = (i: number, j: number) => (i < rows && j < cols ? max - gain[i][j] : max);
  // Jonker-style O(n³) Hungarian with potentials (1-based arrays as in the classic formulation).
  const u = new Float64Array(size + 1);
  const v = new Float64Array(size + 1);
  const match = new Int32Array(size + 1);
  const way = new Int32Array(size + 1);
  for (let i = 1; i <= size; i++) {
    match[0] = i;
    let j0 = 0;
    const minv = new Float64Array(size + 1).fill(Number.POSITIVE_INFINITY);
    const used = new Uint8Array(size + 1);
    do {
      used[j0] = 1;
      const i0 = match[j0];
      let delta = Number.POSITIVE_INFINITY;
      let j1 = 0;
      for (let j = 1; j <= size; j++) {
        if (used[j]) continue;
        const cur = cost(i0 - 1, j - 1) - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= size; j++) {
        if (used[j]) {
          u[match[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (match[j0] !== 0);
    do {
      const j1 = way[j0];
      match[j0] = match[j1];
      j0 = j1;
    } while (j0);
  }
  let total = 0;
  for (let j = 1; j <= size; j++) {
    const i = match[j];
    if (i >= 1 && i <= rows && j <= cols) total += gain[i - 1][j - 1];
  }
  return total;
}
