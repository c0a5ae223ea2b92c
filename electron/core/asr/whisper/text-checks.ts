/** Whisper's quality signals for a decoded window: gzip compression ratio, and an explicit repetition-loop check. */
import { deflateSync } from 'node:zlib';

/** len(text bytes) / len(zlib(text bytes)), as Whisper computes it; loops compress very well (> 2.4). */
export function compressionRatio(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === 0) return 0;
  return bytes.length / deflateSync(bytes).length;
}

/**
 * Finds a loop at the end of `tokens`: a run of 1–16 tokens repeated back to back at least `minRepeats` times (or
 * covering 30+ tokens). Returns the index where the repetition starts after its first occurrence, or -1.
 */
export function repetitionLoopStart(tokens: number[], minRepeats = 4): number {
  const n = tokens.length;
  for (let period = 1; period <= 16 && period * 2 <= n; period++) {
    let repeats = 1;
    let i = n - period;
    while (i - period >= 0) {
      let same = true;
      for (let k = 0; k < period; k++) {
        if (tokens[i - period + k] !== tokens[i + k]) {
          same = false;
          break;
        }
      }
      if (!same) break;
      repeats++;
      i -= period;
    }
    if (repeats >= minRepeats || (repeats >= 2 && repeats * period >= 30)) return i + period;
  }
  return -1;
}
