/**
 * The two long-audio strategies, producing the same Segment type:
 * - sequential: 30 s windows, each starting where the previous one's last complete segment ended (Whisper's own
 *   algorithm; timestamps on);
 * - batched: speech regions packed into ≤ 30 s spans, decoded several at a time without timestamps, one segment
 *   per span (faster-whisper's batched mode).
 * Only a few windows of features and one encoder batch are alive at a time, so memory does not grow with length.
 */
import { throwIfAborted } from '../../errors.ts';
import type { Segment, TranscribeOptions } from '../types.ts';
import type { SpecialTokens, WhisperGeneration } from './config.ts';
import { decodeWithFallback, isSilent } from './decode-window.ts';
import type { FilterConfig } from './logits.ts';
import { type LogMel, SAMPLE_RATE, WINDOW_FRAMES, WINDOW_SAMPLES } from './mel.ts';
import type { WindowDecoding } from './search.ts';
import type { WhisperSessions } from './sessions.ts';
import { energyRegions, packRegionsIntoWindows, type Region, speechCoverage } from './speech-regions.ts';
import type { WhisperTokenizer } from './tokenizer.ts';
import { FRAMES_PER_SECOND, splitWindow } from './windows.ts';
import { alignedWords, alignTokens, groupWords, proportionalWords, round } from './words.ts';

export interface WhisperRunOptions extends TranscribeOptions {
  /** Sequential mode: predict timestamps (default true); off → fixed 30 s windows, one segment each. */
  timestamps?: boolean;
  /** Tokens per window at most (Whisper: 224). */
  maxNewTokens?: number;
  /** No <|endoftext|> before this many tokens (benchmarks: equal decode lengths on random weights). */
  minNewTokens?: number;
  /** Windows decoded together in batched mode (default 8). */
  batchSize?: number;
  /** Speech regions (seconds) from a voice activity detector; used by the batched mode and the silence filter. */
  speechRegions?: Region[];
  /** Detect and re-decode repetition loops (default on). */
  repetitionGuard?: boolean;
  /** Seed for the sampling used by temperature fallback. */
  seed?: number;
  /** Observes every decoded window (start sample, samples it covers, generated tokens): tests and diagnostics. */
  onWindow?: (window: {
    startSample: number;
    samples: number;
    prefix: number[];
    tokens: number[];
    temperature: number;
  }) => void;
}

export interface ModelContext {
  sessions: WhisperSessions;
  tokenizer: WhisperTokenizer;
  tokens: SpecialTokens;
  generation: WhisperGeneration;
  mel: LogMel;
}

export interface RunState {
  language: string;
  emit: (segment: Omit<Segment, 'id'>) => void;
  progress: (fraction: number) => void;
}

/** Prefix for a window: [<|startofprev|> prompt] <|sot|> [<|lang|> <|task|>] [<|notimestamps|>]. */
export function buildPrefix(
  ctx: ModelContext,
  language: string | undefined,
  task: 'transcribe' | 'translate',
  timestamps: boolean,
  prompt?: string,
): { prefix: number[]; sotIndex: number } {
  const t = ctx.tokens;
  const prefix: number[] = [];
  if (prompt?.trim() && t.startOfPrev !== undefined) {
    const ids = ctx.tokenizer.encode(` ${prompt.trim()}`);
    prefix.push(t.startOfPrev, ...ids.slice(-(Math.floor(ctx.sessions.dims.maxTargetPositions / 2) - 1)));
  }
  const sotIndex = prefix.length;
  prefix.push(t.sot);
  if (ctx.generation.isMultilingual && t.languages.size > 0) {
    const lang = t.languages.get(language ?? 'en');
    if (lang === undefined) throw new Error(`unsupported language '${language}'`);
    prefix.push(lang);
    const taskToken = task === 'translate' ? t.translate : t.transcribe;
    if (taskToken !== undefined) prefix.push(taskToken);
  }
  if (!timestamps) prefix.push(t.noTimestamps);
  return { prefix, sotIndex };
}

/** Most likely language token after <|startoftranscript|> for the first window's encoder output. */
export async function detectLanguage(ctx: ModelContext, samples: Float32Array, start: number): Promise<string> {
  if (!ctx.generation.isMultilingual || ctx.tokens.languages.size === 0) return 'en';
  const features = ctx.mel.window(samples, start);
  const hidden = await ctx.sessions.encode(features, 1);
  const step = await ctx.sessions.step([[ctx.tokens.sot]], hidden, null);
  let best = 'en';
  let bestLogit = Number.NEGATIVE_INFINITY;
  for (const [code, id] of ctx.tokens.languages) {
    if (step.last[id] > bestLogit) {
      bestLogit = step.last[id];
      best = code;
    }
  }
  return best;
}

function searchOptions(ctx: ModelContext, opts: WhisperRunOptions, language: string, timestamps: boolean) {
  const { prefix, sotIndex } = buildPrefix(ctx, language, opts.task ?? 'transcribe', timestamps, opts.initialPrompt);
  const filters: FilterConfig = { tokens: ctx.tokens, generation: ctx.generation, timestamps };
  const room = ctx.sessions.dims.maxTargetPositions - prefix.length;
  const wantAttention =
    (opts.wordTimestamps ?? true) && ctx.sessions.hasCrossAttentions && ctx.sessions.alignmentHeads.length > 0;
  return {
    filters,
    prefix,
    sotIndex,
    maxNewTokens: Math.min(opts.maxNewTokens ?? Math.floor(ctx.sessions.dims.maxTargetPositions / 2), room),
    minNewTokens: opts.minNewTokens,
    beamSize: opts.beamSize ?? 1,
    wantAttention,
    random: mulberry32(opts.seed ?? 0),
    signal: opts.signal,
  };
}

export async function runSequential(
  ctx: ModelContext,
  samples: Float32Array,
  opts: WhisperRunOptions,
  state: RunState,
): Promise<void> {
  const timestamps = opts.timestamps ?? true;
  const search = searchOptions(ctx, opts, state.language, timestamps);
  const totalFrames = Math.ceil(samples.length / (SAMPLE_RATE / FRAMES_PER_SECOND));
  const regions = opts.speechRegions ?? (opts.vad ? energyRegions(samples) : undefined);
  const features = new Float32Array(ctx.mel.nMels * WINDOW_FRAMES);
  let seek = 0;
  while (seek < totalFrames) {
    throwIfAborted(opts.signal);
    const offset = seek / FRAMES_PER_SECOND;
    // With speech regions known, jump over silence instead of decoding it.
    if (regions) {
      const next = regions.find((r) => r.end > offset);
      if (!next) break;
      if (next.start > offset + 1) {
        seek = Math.floor(next.start * FRAMES_PER_SECOND);
        continue;
      }
    }
    const frames = Math.min(WINDOW_FRAMES, totalFrames - seek);
    ctx.mel.window(samples.subarray(0, Math.min(samples.length, (seek + frames) * 160)), seek * 160, features);
    const hidden = await ctx.sessions.encode(features, 1);
    const [dec] = await decodeWithFallback(ctx.sessions, hidden, 1, search, ctx.tokenizer, {
      temperatureFallback: opts.temperatureFallback ?? true,
      repetitionGuard: opts.repetitionGuard ?? true,
    });
    opts.onWindow?.({
      startSample: seek * 160,
      samples: frames * 160,
      prefix: search.prefix,
      tokens: dec.tokens,
      temperature: dec.temperature,
    });
    const duration = frames / FRAMES_PER_SECOND;
    const split = splitWindow(dec, ctx.tokens, offset, duration, frames, timestamps);
    if (!isSilent(dec)) {
      for (const span of split.spans) emitSpan(ctx, dec, span, offset, frames, regions, opts, state);
    }
    seek += isSilent(dec) ? frames : split.advance;
    state.progress(Math.min(1, seek / totalFrames));
  }
}

export async function runBatched(
  ctx: ModelContext,
  samples: Float32Array,
  opts: WhisperRunOptions,
  state: RunState,
): Promise<void> {
  const search = searchOptions(ctx, opts, state.language, false);
  const duration = samples.length / SAMPLE_RATE;
  const regions = opts.speechRegions ?? energyRegions(samples);
  const spans = packRegionsIntoWindows(regions, 30).filter((s) => s.end > s.start);
  const batchSize = Math.max(1, opts.batchSize ?? 8);
  const features = new Float32Array(ctx.mel.nMels * WINDOW_FRAMES * batchSize);
  for (let i = 0; i < spans.length; i += batchSize) {
    throwIfAborted(opts.signal);
    const batch = spans.slice(i, i + batchSize);
    batch.forEach((span, k) => {
      const start = Math.round(span.start * SAMPLE_RATE);
      const end = Math.min(samples.length, Math.round(span.end * SAMPLE_RATE), start + WINDOW_SAMPLES);
      ctx.mel.window(samples.subarray(start, end), 0, features.subarray(k * ctx.mel.nMels * WINDOW_FRAMES));
    });
    const hidden = await ctx.sessions.encode(
      features.subarray(0, batch.length * ctx.mel.nMels * WINDOW_FRAMES),
      batch.length,
    );
    const decoded = await decodeWithFallback(ctx.sessions, hidden, batch.length, search, ctx.tokenizer, {
      temperatureFallback: opts.temperatureFallback ?? true,
      repetitionGuard: opts.repetitionGuard ?? true,
    });
    decoded.forEach((dec, k) => {
      const span = batch[k];
      const startSample = Math.round(span.start * SAMPLE_RATE);
      const samplesIn =
        Math.min(samples.length, Math.round(span.end * SAMPLE_RATE), startSample + WINDOW_SAMPLES) - startSample;
      opts.onWindow?.({
        startSample,
        samples: samplesIn,
        prefix: search.prefix,
        tokens: dec.tokens,
        temperature: dec.temperature,
      });
      if (isSilent(dec)) return;
      const frames = Math.round((span.end - span.start) * FRAMES_PER_SECOND);
      emitSpan(
        ctx,
        dec,
        { start: span.start, end: span.end, from: 0, to: dec.tokens.length },
        span.start,
        frames,
        undefined,
        opts,
        state,
      );
    });
    state.progress(Math.min(1, (batch[batch.length - 1]?.end ?? duration) / duration));
  }
  state.progress(1);
}

function emitSpan(
  ctx: ModelContext,
  dec: WindowDecoding,
  span: { start: number; end: number; from: number; to: number },
  windowOffset: number,
  windowFrames: number,
  regions: Region[] | undefined,
  opts: WhisperRunOptions,
  state: RunState,
): void {
  const tokens = dec.tokens.slice(span.from, span.to).filter((t) => t < ctx.tokens.eot);
  const text = ctx.tokenizer.decode(tokens);
  if (text.trim() === '') return;
  // Text over silence is a hallucination: drop it.
  if (regions && speechCoverage(regions, span.start, span.end) < 0.1) return;
  const logprobs = dec.tokenLogprobs.slice(span.from, span.to);
  let words: Segment['words'];
  if (opts.wordTimestamps ?? true) {
    const pieces = groupWords(tokens, ctx.tokenizer);
    if (dec.attention && dec.attention.length >= span.to) {
      const starts = alignTokens(dec.attention.slice(span.from, span.to + 1), Math.ceil(windowFrames / 2));
      words = alignedWords(pieces, logprobs, starts, windowOffset, span.start, span.end);
    } else {
      words = proportionalWords(pieces, logprobs, span.start, span.end);
    }
  }
  state.emit({
    start: round(span.start),
    end: round(span.end),
    text,
    words,
    avgLogprob: dec.avgLogprob,
    noSpeechProb: dec.noSpeechProb,
  });
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
