/**
 * Decodes a batch of windows with Whisper's temperature fallback: decode at 0; any window whose text compresses
 * too well (> 2.4, a loop), whose average log-probability is too low (< −1) or that ends in a repetition loop is
 * decoded again at the next temperature (0.2 … 1.0), unless it is silence (no-speech probability > 0.6 with a low
 * average log-probability). Windows that still loop at the last temperature have the loop cut off.
 */
import type * as ort from 'onnxruntime-node';
import type { WhisperTokenizer } from './tokenizer.ts';
import { type SearchOptions, searchWindows, type WindowDecoding } from './search.ts';
import type { WhisperSessions } from './sessions.ts';
import { compressionRatio, repetitionLoopStart } from './text-checks.ts';

export const FALLBACK_TEMPERATURES = [0, 0.2, 0.4, 0.6, 0.8, 1.0];
export const COMPRESSION_RATIO_THRESHOLD = 2.4;
export const LOGPROB_THRESHOLD = -1;
export const NO_SPEECH_THRESHOLD = 0.6;

export interface FallbackOptions {
  temperatureFallback: boolean;
  repetitionGuard: boolean;
}

export function isSilent(d: WindowDecoding): boolean {
  return d.noSpeechProb > NO_SPEECH_THRESHOLD && d.avgLogprob < LOGPROB_THRESHOLD;
}

function needsRetry(d: WindowDecoding, tokenizer: WhisperTokenizer, textLimit: number, opts: FallbackOptions): boolean {
  if (opts.repetitionGuard && repetitionLoopStart(d.tokens) >= 0) return true;
  if (!opts.temperatureFallback) return false;
  if (isSilent(d)) return false;
  const text = tokenizer.decode(d.tokens, textLimit);
  return compressionRatio(text) > COMPRESSION_RATIO_THRESHOLD || d.avgLogprob < LOGPROB_THRESHOLD;
}

export async function decodeWithFallback(
  sessions: WhisperSessions,
  hidden: ort.Tensor,
  windows: number,
  search: Omit<SearchOptions, 'temperature'>,
  tokenizer: WhisperTokenizer,
  opts: FallbackOptions,
): Promise<WindowDecoding[]> {
  const textLimit = search.filters.tokens.eot;
  const temperatures = opts.temperatureFallback || opts.repetitionGuard ? FALLBACK_TEMPERATURES : [0];
  let results = await searchWindows(sessions, hidden, windows, { ...search, temperature: 0 });
  for (const temperature of temperatures.slice(1)) {
    const retry = results.map((d, i) => (needsRetry(d, tokenizer, textLimit, opts) ? i : -1)).filter((i) => i >= 0);
    if (retry.length === 0) break;
    const sub = retry.length === windows ? hidden : selectRows(hidden, retry);
    const again = await searchWindows(sessions, sub, retry.length, { ...search, temperature, beamSize: 1 });
    retry.forEach((row, k) => {
      results[row] = again[k];
    });
  }
  if (opts.repetitionGuard) results = results.map(cutLoop);
  return results;
}

/** Keeps the first occurrence of a loop that survived every temperature. */
function cutLoop(d: WindowDecoding): WindowDecoding {
  const start = repetitionLoopStart(d.tokens);
  if (start < 0) return d;
  return { ...d, tokens: d.tokens.slice(0, start), tokenLogprobs: d.tokenLogprobs.slice(0, start) };
}

function selectRows(t: ort.Tensor, rows: number[]): ort.Tensor {
  const per = t.size / t.dims[0];
  const src = t.data as Float32Array;
  const dst = new (src.constructor as Float32ArrayConstructor)(per * rows.length);
  rows.forEach((r, i) => {
    dst.set(src.subarray(r * per, (r + 1) * per), i * per);
  });
  return new (t.constructor as typeof ort.Tensor)(t.type as 'float32', dst, [rows.length, ...t.dims.slice(1)]);
}
