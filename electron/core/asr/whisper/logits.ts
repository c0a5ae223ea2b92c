/**
 * Whisper's logit filters, applied to one row of logits before choosing a token:
 * suppress_tokens (non-speech symbols), begin-suppress (no blank or end at the first position), and the timestamp
 * rules (timestamps come in pairs except before the end, never decrease, the first is a timestamp no later than
 * max_initial_timestamp, and a timestamp is forced when all timestamps together outweigh every text token).
 */
import type { SpecialTokens, WhisperGeneration } from './config.ts';

export interface FilterConfig {
  tokens: SpecialTokens;
  generation: WhisperGeneration;
  timestamps: boolean;
}

/** `generated` is the tokens sampled so far in this window, after the prompt/prefix. */
export function applyFilters(row: Float32Array, generated: number[], cfg: FilterConfig): void {
  for (const t of cfg.generation.suppressTokens) if (t < row.length) row[t] = Number.NEGATIVE_INFINITY;
  if (generated.length === 0) {
    for (const t of cfg.generation.beginSuppressTokens) if (t < row.length) row[t] = Number.NEGATIVE_INFINITY;
  }
  if (cfg.timestamps) applyTimestampRules(row, generated, cfg);
}

function applyTimestampRules(row: Float32Array, seq: number[], cfg: FilterConfig): void {
  const { timestampBegin: tb, noTimestamps, eot } = cfg.tokens;
  row[noTimestamps] = Number.NEGATIVE_INFINITY;
  if (seq.length === 0) {
    // The window must start with a timestamp, and not a late one.
    row.fill(Number.NEGATIVE_INFINITY, 0, tb);
    const maxInitial = cfg.generation.maxInitialTimestampIndex;
    if (maxInitial !== null) row.fill(Number.NEGATIVE_INFINITY, tb + maxInitial + 1);
    return;
  }
  const last = seq[seq.length - 1];
  const lastWasTimestamp = last >= tb;
  const penultimateWasTimestamp = seq.length < 2 || seq[seq.length - 2] >= tb;
  if (lastWasTimestamp) {
    if (penultimateWasTimestamp) row.fill(Number.NEGATIVE_INFINITY, tb);
    else row.fill(Number.NEGATIVE_INFINITY, 0, eot);
  }
  // Timestamps never go backwards; a closing timestamp may repeat the opening one's value only as a pair end.
  let lastTimestamp = -1;
  for (let i = seq.length - 1; i >= 0; i--) {
    if (seq[i] >= tb) {
      lastTimestamp = seq[i];
      break;
    }
  }
  if (lastTimestamp >= 0) {
    const floor = lastWasTimestamp && !penultimateWasTimestamp ? lastTimestamp : lastTimestamp + 1;
    row.fill(Number.NEGATIVE_INFINITY, tb, floor);
  }
  // If the timestamps' total probability beats every text token, a timestamp it is.
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  if (max === Number.NEGATIVE_INFINITY) return;
  let total = 0;
  for (let i = 0; i < row.length; i++) total += Math.exp(row[i] - max);
  const logTotal = Math.log(total) + max;
  let tsSum = 0;
  for (let i = tb; i < row.length; i++) tsSum += Math.exp(row[i] - max);
  const timestampLogprob = Math.log(tsSum) + max - logTotal;
  let maxText = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < tb; i++) if (row[i] > maxText) maxText = row[i];
  if (timestampLogprob > maxText - logTotal) row.fill(Number.NEGATIVE_INFINITY, 0, tb);
}

/** Terms this far below the maximum add less than 51,865 × e^-50 ≈ 1e-17 of the total (the maximum's own term
 * is 1): below float64's resolution, so skipping their Math.exp changes nothing and saves most of a decoder step's
 * JavaScript time when logits are spread out. */
const NEGLIGIBLE = -50;

export function logSoftmaxAt(row: Float32Array, index: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  let total = 0;
  for (let i = 0; i < row.length; i++) {
    const d = row[i] - max;
    if (d > NEGLIGIBLE) total += Math.exp(d);
  }
  return row[index] - max - Math.log(total);
}

export function logSoftmax(row: Float32Array): Float32Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  let total = 0;
  for (let i = 0; i < row.length; i++) total += Math.exp(row[i] - max);
  const lse = max + Math.log(total);
  const out = new Float32Array(row.length);
  for (let i = 0; i < row.length; i++) out[i] = row[i] - lse;
  return out;
}

export function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}
