/**
 * The two long-audio strategies, producing the same Segment type:
 * - sequential: 30 s windows, each starting where the previous one's last complete segment ended (Whisper's own
 *   algorithm; timestamps on);
 * - batched: speech regions packed into ≤ 30 s spans, decoded several at a time without timestamps, one segment
 *   per span (faster-whisper's batched mode).
 * Only a few windows of features and one encoder batch are alive at a time, so memory does not grow with length.
 */
import { throwIfAborted } from '../../errors.ts';
import { seededRandom } from '../../random.ts';
import type { Segment, TranscribeOptions } from '../types.ts';
import type { SpecialTokens, WhisperGeneration } from './config.ts';
import { decodeWithFallback, isSilent } from './decode-window.ts';
import type { FilterConfig } from './logits.ts';
import { type LogMel, SAMPLE_RATE, WINDOW_FRAMES, WINDOW_SAMPLES } from './mel.ts';
import type { PcmSource } from '../pcm-source.ts';
import type { WindowDecoding } from './search.ts';
import type { WhisperSessions } from './sessions.ts';
import { speechBlocks } from '../speech-blocks.ts';
import {
  originalTime,
  type PackedWindow,
  packSpeech,
  type Region,
  speechCoverage,
  speechRegionsOf,
  WHISPER_VAD,
} from './speech-regions.ts';
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
  /** Token ids never to emit, on top of the model's suppress_tokens (Whisper's `suppress_tokens` option). */
  suppressTokens?: number[];
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
export async function detectLanguage(ctx: ModelContext, source: PcmSource): Promise<string> {
  if (!ctx.generation.isMultilingual || ctx.tokens.languages.size === 0) return 'en';
  await source.fill(WINDOW_SAMPLES);
  const features = ctx.mel.window(source.view(0, WINDOW_SAMPLES));
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
  const generation = opts.suppressTokens?.length
    ? { ...ctx.generation, suppressTokens: [...ctx.generation.suppressTokens, ...opts.suppressTokens] }
    : ctx.generation;
  const filters: FilterConfig = { tokens: ctx.tokens, generation, timestamps };
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
    random: seededRandom(opts.seed ?? 0),
    signal: opts.signal,
  };
}

export async function runSequential(
  ctx: ModelContext,
  source: PcmSource,
  opts: WhisperRunOptions,
  state: RunState,
): Promise<void> {
  const timestamps = opts.timestamps ?? true;
  const search = searchOptions(ctx, opts, state.language, timestamps);
  const features = new Float32Array(ctx.mel.nMels * WINDOW_FRAMES);
  const hop = SAMPLE_RATE / FRAMES_PER_SECOND;
  let seek = 0;
  while (true) {
    throwIfAborted(opts.signal);
    await source.fill(seek * hop + WINDOW_SAMPLES);
    const frames = Math.min(WINDOW_FRAMES, Math.ceil(source.available / hop) - seek);
    if (frames <= 0) break;
    const offset = seek / FRAMES_PER_SECOND;
    const audio = source.view(seek * hop, (seek + frames) * hop);
    // Speech regions: the caller's, or (with vad) the window's own. Silence is skipped instead of decoded.
    const regions =
      opts.speechRegions ?? (opts.vad ? shift(await speechRegionsOf(audio, opts.signal), offset) : undefined);
    if (regions) {
      const next = regions.find((r) => r.end > offset);
      const nextStart = next ? next.start : Number.POSITIVE_INFINITY;
      if (nextStart > offset + 1) {
        seek = Math.min(seek + frames, Math.floor(nextStart * FRAMES_PER_SECOND));
        source.release(seek * hop);
        state.progress(Math.min(1, (seek * hop) / Math.max(1, source.expected)));
        continue;
      }
    }
    ctx.mel.window(audio, 0, features);
    const hidden = await ctx.sessions.encode(features, 1);
    const [dec] = await decodeWithFallback(ctx.sessions, hidden, 1, search, ctx.tokenizer, {
      temperatureFallback: opts.temperatureFallback ?? true,
      repetitionGuard: opts.repetitionGuard ?? true,
    });
    opts.onWindow?.({
      startSample: seek * hop,
      samples: frames * hop,
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
    source.release(seek * hop);
    state.progress(Math.min(1, (seek * hop) / Math.max(1, source.expected)));
  }
}

export async function runBatched(
  ctx: ModelContext,
  source: PcmSource,
  opts: WhisperRunOptions,
  state: RunState,
): Promise<void> {
  const search = searchOptions(ctx, opts, state.language, false);
  const batchSize = Math.max(1, opts.batchSize ?? 8);
  const windowSize = ctx.mel.nMels * WINDOW_FRAMES;
  const features = new Float32Array(windowSize * batchSize);
  const blocks = speechBlocks(source, {
    vad: WHISPER_VAD,
    lookaheadSamples: 30 * SAMPLE_RATE,
    regions: opts.speechRegions,
    signal: opts.signal,
    onSpeech: opts.onSpeech,
  });
  for await (const { from, end, regions } of blocks) {
    const windows = packSpeech(regions, 30);
    const joined = new Float32Array(WINDOW_SAMPLES);
    for (let i = 0; i < windows.length; i += batchSize) {
      throwIfAborted(opts.signal);
      const batch = windows.slice(i, i + batchSize);
      batch.forEach((w, k) => {
        ctx.mel.window(concatPieces(source, w, joined), 0, features.subarray(k * windowSize, (k + 1) * windowSize));
      });
      const hidden = await ctx.sessions.encodeEach(features.subarray(0, batch.length * windowSize), batch.length);
      const decoded = await decodeWithFallback(ctx.sessions, hidden, batch.length, search, ctx.tokenizer, {
        temperatureFallback: opts.temperatureFallback ?? true,
        repetitionGuard: opts.repetitionGuard ?? true,
      });
      decoded.forEach((dec, k) => {
        const w = batch[k];
        opts.onWindow?.({
          startSample: Math.round(w.start * SAMPLE_RATE),
          samples: Math.round(w.duration * SAMPLE_RATE),
          prefix: search.prefix,
          tokens: dec.tokens,
          temperature: dec.temperature,
        });
        if (isSilent(dec)) return;
        const frames = Math.round(w.duration * FRAMES_PER_SECOND);
        const emitted = { start: 0, end: w.duration, from: 0, to: dec.tokens.length };
        emitSpan(ctx, dec, emitted, 0, frames, undefined, opts, state, (t) => originalTime(w, t));
      });
      const done = Math.round((batch[batch.length - 1]?.end ?? from) * SAMPLE_RATE);
      state.progress(Math.min(1, done / Math.max(1, source.expected)));
    }
    state.progress(Math.min(1, end / Math.max(1, source.expected)));
  }
}

/** The window's speech pieces back to back in `into` (≤ 30 s); returns the filled part. */
function concatPieces(source: PcmSource, w: PackedWindow, into: Float32Array): Float32Array {
  let at = 0;
  for (const p of w.pieces) {
    const a = Math.round(p.start * SAMPLE_RATE);
    const piece = source.view(a, Math.min(Math.round(p.end * SAMPLE_RATE), a + into.length - at));
    into.set(piece, at);
    at += piece.length;
  }
  return into.subarray(0, at);
}

function shift(regions: Region[], seconds: number): Region[] {
  return regions.map((r) => ({ start: r.start + seconds, end: r.end + seconds }));
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
  /** Window time → original time, for packed windows (identity otherwise). */
  toOriginal: (t: number) => number = (t) => t,
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
    words = words.map((w) => ({ ...w, start: round(toOriginal(w.start)), end: round(toOriginal(w.end)) }));
  }
  state.emit({
    start: round(toOriginal(span.start)),
    end: round(toOriginal(span.end)),
    text,
    words,
    avgLogprob: dec.avgLogprob,
    noSpeechProb: dec.noSpeechProb,
  });
}
