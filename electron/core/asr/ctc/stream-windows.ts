/**
 * The windows of a recording read from a PcmSource (a whole array or a decoder's stream), planned a block at a time
 * so that a multi-hour stream never has to be in memory: voice activity detection runs on blocks of a few minutes,
 * and a speech region that runs into a block's end is left whole for the next block.
 */
import { detectSpeech } from '../../audio/index.ts';
import { EarshotError } from '../../errors.ts';
import type { PcmSource } from '../pcm-source.ts';
import type { TranscribeOptions } from '../types.ts';
import { type CtcWindow, windowsFromRegions } from './windows.ts';

const SAMPLE_RATE = 16000;
/** Seconds of audio given to voice activity detection at a time (a block costs 4 bytes × 16,000 per second). */
export const VAD_BLOCK_SECONDS = 240;
/** Overlap of the fixed windows used without VAD; the middle of each overlap is the border between windows. */
const OVERLAP_SECONDS = 2;

export interface PlanOptions {
  /** true: always cut at pauses; false: never (fixed overlapping windows); undefined: only audio longer than a window. */
  vad?: boolean;
  signal?: AbortSignal;
  /** Block length for VAD (tests shorten it to cross block borders with little audio). */
  blockSeconds?: number;
  /** Receives each block's speech regions (TranscribeOptions.onSpeech). */
  onSpeech?: TranscribeOptions['onSpeech'];
}

/**
 * Yields windows in time order. The source holds at least up to each yielded window's end; samples before the
 * window's start may be released by the caller once it is done with the window.
 */
export async function* planWindows(
  source: PcmSource,
  maxSeconds: number,
  options: PlanOptions = {},
): AsyncGenerator<CtcWindow> {
  const maxSamples = Math.round(maxSeconds * SAMPLE_RATE);
  await source.fill(maxSamples + 1);
  if (source.available === 0) return;
  const short = source.ended && source.available <= maxSamples;
  if (options.vad === false || (short && options.vad === undefined)) {
    yield* fixedStream(source, 0, maxSeconds);
    return;
  }
  const blockSamples = Math.round((options.blockSeconds ?? VAD_BLOCK_SECONDS) * SAMPLE_RATE);
  let pos = 0;
  while (true) {
    // The caller is done with every window before `pos` (this generator is lazy), and blocks without speech
    // yield none for it to release.
    source.release(pos);
    await source.fill(pos + blockSamples + maxSamples);
    let end = Math.min(source.available, pos + blockSamples);
    if (end <= pos) return;
    const from = pos / SAMPLE_RATE;
    let regions: { start: number; end: number }[];
    try {
      regions = (
        await detectSpeech(source.view(pos, end), { speechPadMs: 300, minSilenceMs: 300, signal: options.signal })
      ).map((r) => ({ start: r.start + from, end: r.end + from }));
    } catch (e) {
      if (e instanceof EarshotError && e.code === 'CANCELLED') throw e;
      // Without VAD the rest of the recording still gets transcribed, in fixed windows.
      yield* fixedStream(source, from, maxSeconds);
      return;
    }
    const more = !source.ended || end < source.available;
    const last = regions[regions.length - 1];
    // Speech running into the block's end continues in the next block, whole. (A region that fills the entire
    // block — minutes without a pause — is cut at the block's end.)
    if (more && last && last.end >= end / SAMPLE_RATE - 0.05 && last.start > from) {
      end = Math.round(last.start * SAMPLE_RATE);
      regions = regions.slice(0, -1);
    }
    for (const r of regions) r.end = Math.min(r.end, end / SAMPLE_RATE);
    options.onSpeech?.({ from, to: end / SAMPLE_RATE, regions: regions.map((r) => ({ ...r })) });
    yield* windowsFromRegions(regions, maxSeconds);
    pos = Math.max(end, pos + 1);
  }
}

/**
 * Overlapping fixed windows from `start` to the end of the stream, generated as the stream arrives (the same windows
 * as fixedWindows over the whole, without knowing where it ends).
 */
async function* fixedStream(source: PcmSource, start: number, maxSeconds: number): AsyncGenerator<CtcWindow> {
  const step = maxSeconds - OVERLAP_SECONDS;
  for (let s = start, first = true; ; s += step, first = false) {
    source.release(Math.floor(s * SAMPLE_RATE));
    await source.fill(Math.round((s + maxSeconds) * SAMPLE_RATE) + 1);
    const total = source.available / SAMPLE_RATE;
    if (total <= s && !first) return;
    const last = source.ended && total <= s + maxSeconds;
    const e = last ? total : s + maxSeconds;
    yield {
      start: s,
      end: e,
      ownStart: first ? -Infinity : s + OVERLAP_SECONDS / 2,
      ownEnd: last ? Infinity : s + step + OVERLAP_SECONDS / 2,
    };
    if (last) return;
  }
}
