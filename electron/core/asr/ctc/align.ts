/**
 * CTC forced alignment (Viterbi): the frames where each character of a given transcript fires, so words found by
 * beam search get the same kind of timings and confidences as greedy decoding.
 */
import type { Emission, FrameScores } from './greedy.ts';

/** Returns null when the transcript cannot fit the frames (more characters than frames allow). */
export function forceAlign(
  scores: FrameScores,
  tokens: number[],
  vocabulary: string[],
  blankId: number,
): Emission[] | null {
  const { logProbs, frames, vocabSize } = scores;
  const states = 2 * tokens.length + 1;
  const label = (s: number) => (s % 2 === 0 ? blankId : tokens[(s - 1) >> 1]);
  const NEG = Number.NEGATIVE_INFINITY;
  let prev = new Float64Array(states).fill(NEG);
  let cur = new Float64Array(states);
  const back = new Int8Array(frames * states); // 0 stay, 1 from s-1, 2 from s-2
  prev[0] = logProbs[blankId];
  if (states > 1) prev[1] = logProbs[label(1)];
  for (let t = 1; t < frames; t++) {
    const row = t * vocabSize;
    for (let s = 0; s < states; s++) {
      let best = prev[s];
      let from = 0;
      if (s >= 1 && prev[s - 1] > best) {
        best = prev[s - 1];
        from = 1;
      }
      if (s >= 2 && s % 2 === 1 && label(s) !== label(s - 2) && prev[s - 2] > best) {
        best = prev[s - 2];
        from = 2;
      }
      cur[s] = best + logProbs[row + label(s)];
      back[t * states + s] = from;
    }
    [prev, cur] = [cur, prev];
  }
  let s = states > 1 && prev[states - 2] > prev[states - 1] ? states - 2 : states - 1;
  if (prev[s] === NEG) return null;
  const stateAt = new Int32Array(frames);
  for (let t = frames - 1; t >= 0; t--) {
    stateAt[t] = s;
    if (t > 0) s -= back[t * states + s];
  }
  const out: Emission[] = [];
  let open = -1;
  for (let t = 0; t < frames; t++) {
    const st = stateAt[t];
    if (st % 2 === 0) continue;
    const p = logProbs[t * vocabSize + label(st)];
    const last = out[out.length - 1];
    if (st === open && last) {
      last.lastFrame = t;
      last.logProb = Math.max(last.logProb, p);
    } else {
      out.push({ char: vocabulary[label(st)], firstFrame: t, lastFrame: t, logProb: p });
      open = st;
    }
  }
  return out;
}
