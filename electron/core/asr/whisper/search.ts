/**
 * Token search over one or more 30 s windows sharing one encoder batch: greedy (every window a batch row), sampling
 * at a temperature (fallback), or beam search (one window, the beams as batch rows, the self-attention cache
 * reordered as beams are chosen).
 */
import type * as ort from 'onnxruntime-node';
import { throwIfAborted } from '../../errors.ts';
import { applyFilters, argmax, type FilterConfig, logSoftmax, logSoftmaxAt } from './logits.ts';
import { selectCacheRows, type WhisperSessions } from './sessions.ts';

export interface SearchOptions {
  filters: FilterConfig;
  /** Tokens before the first generated one: [<|startofprev|> prompt…] <|sot|> [lang] [task] [<|notimestamps|>]. */
  prefix: number[];
  /** Index of <|startoftranscript|> in `prefix` (its logits give the no-speech probability). */
  sotIndex: number;
  maxNewTokens: number;
  /** <|endoftext|> is suppressed until this many tokens (benchmarks use it to make decode lengths equal). */
  minNewTokens?: number;
  temperature: number;
  beamSize: number;
  /** Collect cross-attention weights for word alignment (when the decoder exports them). */
  wantAttention?: boolean;
  random?: () => number;
  signal?: AbortSignal;
}

export interface WindowDecoding {
  /** Generated tokens without the final <|endoftext|>. */
  tokens: number[];
  /** Log-probability of each generated token (with the filters applied), for word confidence. */
  tokenLogprobs: number[];
  sumLogprob: number;
  avgLogprob: number;
  noSpeechProb: number;
  temperature: number;
  /** Per generated token, the selected heads' attention over encoder frames ([token][frame], averaged later). */
  attention?: Float32Array[][];
}

/** Decodes every window in `hidden` ([windows, 1500, d]). Beam search requires a single window. */
export async function searchWindows(
  sessions: WhisperSessions,
  hidden: ort.Tensor,
  windows: number,
  opts: SearchOptions,
): Promise<WindowDecoding[]> {
  if (opts.beamSize > 1 && opts.temperature === 0) {
    const results: WindowDecoding[] = [];
    for (let w = 0; w < windows; w++) results.push(await beamSearch(sessions, sliceRow(hidden, w), opts));
    return results;
  }
  return greedyOrSample(sessions, hidden, windows, opts);
}

async function greedyOrSample(
  sessions: WhisperSessions,
  hidden: ort.Tensor,
  windows: number,
  opts: SearchOptions,
): Promise<WindowDecoding[]> {
  const { eot } = opts.filters.tokens;
  const generated: number[][] = Array.from({ length: windows }, () => []);
  const logprobs: number[][] = Array.from({ length: windows }, () => []);
  const done = new Array<boolean>(windows).fill(false);
  const attention: Float32Array[][][] = Array.from({ length: windows }, () => []);
  const noSpeech = new Array<number>(windows).fill(0);
  let step = await sessions.step(
    Array.from({ length: windows }, () => opts.prefix),
    hidden,
    null,
    opts.wantAttention,
  );
  const vocab = step.last.length / windows;
  if (opts.filters.tokens.noSpeech !== undefined && step.all) {
    for (let w = 0; w < windows; w++) {
      const row = step.all.subarray(
        (w * step.positions + opts.sotIndex) * vocab,
        (w * step.positions + opts.sotIndex + 1) * vocab,
      );
      noSpeech[w] = Math.exp(logSoftmaxAt(row, opts.filters.tokens.noSpeech));
    }
  }
  for (let n = 0; n < opts.maxNewTokens; n++) {
    throwIfAborted(opts.signal);
    if (opts.wantAttention && step.crossAttentions) collectAttention(sessions, step.crossAttentions, attention, done);
    const next: number[][] = [];
    for (let w = 0; w < windows; w++) {
      if (done[w]) {
        next.push([eot]);
        continue;
      }
      const row = step.last.subarray(w * vocab, (w + 1) * vocab);
      applyFilters(row, generated[w], opts.filters);
      if (generated[w].length < (opts.minNewTokens ?? 0)) row[eot] = Number.NEGATIVE_INFINITY;
      const token = opts.temperature > 0 ? sample(row, opts.temperature, opts.random ?? Math.random) : argmax(row);
      logprobs[w].push(logSoftmaxAt(row, token));
      if (token === eot) done[w] = true;
      else generated[w].push(token);
      next.push([token]);
    }
    if (done.every(Boolean) || n === opts.maxNewTokens - 1) break;
    step = await sessions.step(next, hidden, step.cache, opts.wantAttention);
  }
  return generated.map((tokens, w) => {
    const sum = logprobs[w].reduce((a, b) => a + b, 0);
    return {
      tokens,
      tokenLogprobs: logprobs[w].slice(0, tokens.length),
      sumLogprob: sum,
      avgLogprob: sum / (tokens.length + 1),
      noSpeechProb: noSpeech[w],
      temperature: opts.temperature,
      attention: opts.wantAttention ? attention[w].slice(0, tokens.length + 1) : undefined,
    };
  });
}

interface Beam {
  tokens: number[];
  logprobs: number[];
  sum: number;
  row: number;
}

/** Whisper's beam search (patience 1, no length penalty: rank by sum / length). */
async function beamSearch(
  sessions: WhisperSessions,
  hidden1: ort.Tensor,
  opts: SearchOptions,
): Promise<WindowDecoding> {
  const size = opts.beamSize;
  const { eot } = opts.filters.tokens;
  const hidden = repeatRow(hidden1, size);
  let step = await sessions.step(
    Array.from({ length: size }, () => opts.prefix),
    hidden,
    null,
  );
  const vocab = step.last.length / size;
  let noSpeechProb = 0;
  if (opts.filters.tokens.noSpeech !== undefined && step.all) {
    const row = step.all.subarray(opts.sotIndex * vocab, (opts.sotIndex + 1) * vocab);
    noSpeechProb = Math.exp(logSoftmaxAt(row, opts.filters.tokens.noSpeech));
  }
  // All beams start identical; only the first row's candidates count on the first step.
  let beams: Beam[] = [{ tokens: [], logprobs: [], sum: 0, row: 0 }];
  const finished: Beam[] = [];
  for (let n = 0; n < opts.maxNewTokens && finished.length < size; n++) {
    throwIfAborted(opts.signal);
    const candidates: Beam[] = [];
    for (const beam of beams) {
      const row = step.last.subarray(beam.row * vocab, (beam.row + 1) * vocab);
      applyFilters(row, beam.tokens, opts.filters);
      if (beam.tokens.length < (opts.minNewTokens ?? 0)) row[eot] = Number.NEGATIVE_INFINITY;
      const lp = logSoftmax(row);
      for (const token of topK(lp, size + 1)) {
        candidates.push({
          tokens: [...beam.tokens, token],
          logprobs: [...beam.logprobs, lp[token]],
          sum: beam.sum + lp[token],
          row: beam.row,
        });
      }
    }
    candidates.sort((a, b) => b.sum - a.sum);
    const kept: Beam[] = [];
    const seen = new Set<string>();
    for (const c of candidates) {
      const key = c.tokens.join(',');
      if (seen.has(key)) continue;
      seen.add(key);
      if (c.tokens[c.tokens.length - 1] === eot) {
        if (finished.length < size) finished.push(c);
      } else if (kept.length < size) kept.push(c);
      if (kept.length === size && finished.length >= size) break;
    }
    if (kept.length === 0 || finished.length >= size) break;
    if (n === opts.maxNewTokens - 1) {
      finished.push(...kept);
      break;
    }
    const rows = kept.map((b) => b.row);
    while (rows.length < size) rows.push(rows[0]);
    const cache = selectCacheRows(step.cache, rows, true);
    const next = kept.map((b) => [b.tokens[b.tokens.length - 1]]);
    while (next.length < size) next.push(next[0]);
    beams = kept.map((b, i) => ({ ...b, row: i }));
    step = await sessions.step(next, hidden, cache);
  }
  if (finished.length === 0) finished.push(...beams);
  const score = (b: Beam) => b.sum / b.tokens.length;
  const best = finished.reduce((a, b) => (score(b) > score(a) ? b : a));
  const tokens = best.tokens[best.tokens.length - 1] === eot ? best.tokens.slice(0, -1) : best.tokens;
  return {
    tokens,
    tokenLogprobs: best.logprobs.slice(0, tokens.length),
    sumLogprob: best.sum,
    avgLogprob: best.sum / (tokens.length + 1),
    noSpeechProb,
    temperature: 0,
  };
}

function topK(lp: Float32Array, k: number): number[] {
  const best: number[] = [];
  for (let i = 0; i < lp.length; i++) {
    if (lp[i] === Number.NEGATIVE_INFINITY) continue;
    if (best.length < k) {
      best.push(i);
      best.sort((a, b) => lp[b] - lp[a]);
    } else if (lp[i] > lp[best[k - 1]]) {
      best[k - 1] = i;
      best.sort((a, b) => lp[b] - lp[a]);
    }
  }
  return best;
}

function sample(row: Float32Array, temperature: number, random: () => number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  let total = 0;
  const p = new Float64Array(row.length);
  for (let i = 0; i < row.length; i++) {
    p[i] = Math.exp((row[i] - max) / temperature);
    total += p[i];
  }
  let r = random() * total;
  for (let i = 0; i < row.length; i++) {
    r -= p[i];
    if (r <= 0 && p[i] > 0) return i;
  }
  return argmax(row);
}

/** Averages the alignment heads' attention for the newest position of each live row. */
function collectAttention(
  sessions: WhisperSessions,
  cross: ort.Tensor[],
  into: Float32Array[][][],
  done: boolean[],
): void {
  const heads = sessions.alignmentHeads;
  for (let w = 0; w < into.length; w++) {
    if (done[w]) continue;
    const perHead: Float32Array[] = [];
    for (const [layer, head] of heads) {
      const t = cross[layer];
      const [, h, pos, frames] = t.dims;
      const data = t.data as Float32Array;
      const base = ((w * h + head) * pos + (pos - 1)) * frames;
      perHead.push(data.slice(base, base + frames));
    }
    into[w].push(perHead);
  }
}

function sliceRow(t: ort.Tensor, row: number): ort.Tensor {
  const per = t.size / t.dims[0];
  const data = (t.data as Float32Array).subarray(row * per, (row + 1) * per);
  return new (t.constructor as typeof ort.Tensor)(t.type as 'float32', data, [1, ...t.dims.slice(1)]);
}

function repeatRow(t: ort.Tensor, times: number): ort.Tensor {
  const src = t.data as Float32Array;
  const dst = new (src.constructor as Float32ArrayConstructor)(src.length * times);
  for (let i = 0; i < times; i++) dst.set(src, i * src.length);
  return new (t.constructor as typeof ort.Tensor)(t.type as 'float32', dst, [times, ...t.dims.slice(1)]);
}
