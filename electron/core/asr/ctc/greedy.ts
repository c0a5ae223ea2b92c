/**
 * Greedy CTC decoding of one window: the most likely token per frame, repeats merged, blanks dropped. Words come
 * from the space token; their times from the frames where their characters fire, their confidence from the
 * probabilities of those characters.
 */
import type { Word } from '../types.ts';

export interface FrameScores {
  /** Log-probabilities, frames × vocabulary, row-major. */
  logProbs: Float32Array;
  frames: number;
  vocabSize: number;
}

export interface DecodeSettings {
  vocabulary: string[];
  blankId: number;
  frameShift: number;
  frameOffset: number;
  /** Time of the window's first sample in the whole recording (seconds). */
  windowStart: number;
}

export interface DecodedWindow {
  words: Word[];
  /** Mean log-probability of the frames that emitted a character (0 when none did). */
  avgLogprob: number;
}

export interface Emission {
  char: string;
  firstFrame: number;
  lastFrame: number;
  /** Best log-probability of the character over its run of frames. */
  logProb: number;
}

export function bestTokens(scores: FrameScores): { ids: Int32Array; best: Float32Array } {
  const { logProbs, frames, vocabSize } = scores;
  const ids = new Int32Array(frames);
  const best = new Float32Array(frames);
  for (let t = 0; t < frames; t++) {
    const row = t * vocabSize;
    let arg = 0;
    let max = logProbs[row];
    for (let v = 1; v < vocabSize; v++) {
      if (logProbs[row + v] > max) {
        max = logProbs[row + v];
        arg = v;
      }
    }
    ids[t] = arg;
    best[t] = max;
  }
  return { ids, best };
}

function emissions(ids: Int32Array, best: Float32Array, settings: DecodeSettings): Emission[] {
  const out: Emission[] = [];
  for (let t = 0; t < ids.length; t++) {
    const id = ids[t];
    if (id === settings.blankId) continue;
    const last = out[out.length - 1];
    if (t > 0 && ids[t - 1] === id && last) {
      last.lastFrame = t;
      last.logProb = Math.max(last.logProb, best[t]);
    } else {
      out.push({ char: settings.vocabulary[id] ?? '', firstFrame: t, lastFrame: t, logProb: best[t] });
    }
  }
  return out;
}

const round = (seconds: number) => Math.round(seconds * 1000) / 1000;

/** Words (split at the space token) with times from their characters' frames and confidence from their probabilities. */
export function wordsFromEmissions(list: Emission[], settings: DecodeSettings): Word[] {
  const frameTime = (frame: number) =>
    settings.windowStart + settings.frameOffset + (frame - 0.5) * settings.frameShift;
  const words: Word[] = [];
  let current: Emission[] = [];
  const flush = () => {
    const text = current.map((e) => e.char).join('');
    if (text.replace(/'/g, '') !== '') {
      const meanLog = current.reduce((s, e) => s + e.logProb, 0) / current.length;
      words.push({
        word: text,
        start: round(Math.max(settings.windowStart, frameTime(current[0].firstFrame))),
        end: round(frameTime(current[current.length - 1].lastFrame + 1)),
        confidence: Math.round(Math.exp(meanLog) * 1000) / 1000,
      });
    }
    current = [];
  };
  for (const e of list) {
    if (e.char.trim() === '') flush();
    else current.push(e);
  }
  flush();
  return words;
}

/** Mean log-probability of the frames whose best token is not the blank (0 when there are none). */
export function emittedLogprob(ids: Int32Array, best: Float32Array, blankId: number): number {
  let sum = 0;
  let count = 0;
  for (let t = 0; t < ids.length; t++) {
    if (ids[t] !== blankId) {
      sum += best[t];
      count++;
    }
  }
  return count ? sum / count : 0;
}

export function decodeGreedy(scores: FrameScores, settings: DecodeSettings): DecodedWindow {
  const { ids, best } = bestTokens(scores);
  return {
    words: wordsFromEmissions(emissions(ids, best, settings), settings),
    avgLogprob: emittedLogprob(ids, best, settings.blankId),
  };
}
