/**
 * CTC prefix beam search with a word language model applied as each word completes (shallow fusion):
 * score = ln P_ctc(prefix) + alpha * ln P_lm(words) + beta * |words|. Returns the best transcript; its timings
 * come from forced alignment (align.ts).
 */
import type { FrameScores } from './greedy.ts';
import type { BigramLm } from './lm.ts';

export interface BeamSettings {
  vocabulary: string[];
  blankId: number;
  beamSize: number;
  alpha: number;
  beta: number;
  /** Tokens more than this far (natural log) below the frame's best are not expanded. */
  pruneGap?: number;
}

interface Beam {
  prefix: string;
  blank: number;
  nonBlank: number;
  /** Language-model score of the completed words. */
  lm: number;
  /** Lookahead score of the unfinished last word (replaced by its real score once it completes). */
  partial: number;
  words: number;
}

const NEG = Number.NEGATIVE_INFINITY;

function logAdd(a: number, b: number): number {
  if (a === NEG) return b;
  if (b === NEG) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

function lastTwoWords(prefix: string): [string, string] {
  const words = prefix.trim().split(' ');
  return [words.length > 1 ? words[words.length - 2] : '<s>', words[words.length - 1]];
}

export function beamSearch(scores: FrameScores, lm: BigramLm | null, settings: BeamSettings): string {
  const { logProbs, frames, vocabSize } = scores;
  const { vocabulary, blankId, beamSize, alpha, beta } = settings;
  const gap = settings.pruneGap ?? 10;
  const wordScore = (prefix: string) => {
    const [previous, word] = lastTwoWords(prefix);
    return lm ? alpha * lm.score(previous, word) : 0;
  };
  const lookahead = (prefix: string) => {
    const partial = prefix.slice(prefix.lastIndexOf(' ') + 1);
    return lm && partial ? alpha * lm.lookahead(partial) : 0;
  };
  const rank = (b: Beam) => logAdd(b.blank, b.nonBlank) + b.lm + b.partial + beta * b.words;
  let beams: Beam[] = [{ prefix: '', blank: 0, nonBlank: NEG, lm: 0, partial: 0, words: 0 }];
  for (let t = 0; t < frames; t++) {
    const row = t * vocabSize;
    let best = NEG;
    for (let v = 0; v < vocabSize; v++) best = Math.max(best, logProbs[row + v]);
    const candidates: number[] = [];
    for (let v = 0; v < vocabSize; v++) if (v !== blankId && logProbs[row + v] >= best - gap) candidates.push(v);
    const next = new Map<string, Beam>();
    const entry = (prefix: string, from: Beam, completesWord: boolean): Beam => {
      let b = next.get(prefix);
      if (!b) {
        b = { prefix, blank: NEG, nonBlank: NEG, lm: from.lm, partial: from.partial, words: from.words };
        if (completesWord) {
          b.lm += wordScore(from.prefix);
          b.partial = 0;
          b.words += 1;
        } else if (prefix !== from.prefix) {
          b.partial = lookahead(prefix);
        }
        next.set(prefix, b);
      }
      return b;
    };
    const pBlank = logProbs[row + blankId];
    for (const b of beams) {
      const total = logAdd(b.blank, b.nonBlank);
      const same = entry(b.prefix, b, false);
      same.blank = logAdd(same.blank, total + pBlank);
      const last = b.prefix[b.prefix.length - 1];
      for (const v of candidates) {
        const p = logProbs[row + v];
        const ch = vocabulary[v];
        if (ch === ' ') {
          if (b.prefix === '' || last === ' ') {
            same.blank = logAdd(same.blank, total + p); // a space at the start or after a space changes nothing
          } else {
            const ext = entry(`${b.prefix} `, b, true);
            ext.nonBlank = logAdd(ext.nonBlank, total + p);
          }
        } else if (ch === last) {
          same.nonBlank = logAdd(same.nonBlank, b.nonBlank + p); // repeat collapses into the same character
          const ext = entry(b.prefix + ch, b, false);
          ext.nonBlank = logAdd(ext.nonBlank, b.blank + p); // a blank between makes it a new character
        } else {
          const ext = entry(b.prefix + ch, b, false);
          ext.nonBlank = logAdd(ext.nonBlank, total + p);
        }
      }
    }
    beams = [...next.values()].sort((a, b) => rank(b) - rank(a)).slice(0, beamSize);
  }
  // The last word has no space after it: score it now.
  let bestText = '';
  let bestScore = NEG;
  for (const b of beams) {
    const open = b.prefix !== '' && !b.prefix.endsWith(' ');
    const score = rank(b) - b.partial + (open ? wordScore(b.prefix) + beta : 0);
    if (score > bestScore) {
      bestScore = score;
      bestText = b.prefix.trim();
    }
  }
  return bestText;
}
