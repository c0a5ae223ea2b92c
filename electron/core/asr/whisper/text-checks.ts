/** Whisper's quality signals for a decoded window: gzip compression ratio, and an explicit repetition-loop check. */
import { deflateSync } from 'node:zlib';

/** len(text bytes) / len(zlib(text bytes)), as Whisper computes it; loops compress very well (> 2.4). */
export function compressionRatio(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === 0) return 0;
  return bytes.length / deflateSync(bytes).length;
}

/**
 * Finds the first repetition loop in `tokens`: a run of 1–16 tokens repeated back to back at least 3 times and
 * covering at least 8 tokens (and 3 periods), e.g. one token 8 times or a 5-token phrase 3 times. Returns the index
 * where the repetition starts after its first occurrence, or -1. Ordinary speech ("no, no, no") stays below that.
 */
export function repetitionLoopStart(tokens: number[]): number {
  const n = tokens.length;
  for (let i = 0; i < n; i++) {
    for (let period = 1; period <= 16 && i + 2 * period <= n; period++) {
      let repeats = 1;
      let j = i + period;
      while (j + period <= n) {
        let same = true;
        for (let k = 0; k < period; k++) {
          if (tokens[i + k] !== tokens[j + k]) {
            same = false;
            break;
          }
        }
        if (!same) break;
        repeats++;
        j += period;
      }
      if (repeats >= 3 && repeats * period >= 8) return i + period;
    }
  }
  return -1;
}
