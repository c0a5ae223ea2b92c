/**
 * The windows of a recording read from a PcmSource (a whole array or a decoder's stream), planned a block at a time
 * so that a multi-hour stream never has to be in memory: voice activity detection runs on blocks of a few minutes,
 * and a speech region that runs into a block's end is left whole for the next block.
 */
import type { PcmSource } from '../pcm-source.ts';
import { speechBlocks, type VadSettings } from '../speech-blocks.ts';
import type { TranscribeOptions } from '../types.ts';
import { type CtcWindow, windowsFromRegions } from './windows.ts';

const SAMPLE_RATE = 16000;
/** Overlap of the fixed windows used without VAD; the middle of each overlap is the border between windows. */
const OVERLAP_SECONDS = 2;

/**
 * CTC's voice activity detection (the family's default): wider padding than Whisper's, since a window is transcribed
 * whole and a clipped onset costs a letter.
 */
export const CTC_VAD: VadSettings = { speechPadMs: 300, minSilenceMs: 300 };

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
  const blocks = speechBlocks(source, {
    vad: CTC_VAD,
    blockSeconds: options.blockSeconds,
    lookaheadSamples: maxSamples,
    continueWithoutVad: true,
    signal: options.signal,
    onSpeech: options.onSpeech,
  });
  for await (const block of blocks) {
    // Without VAD the rest of the recording still gets transcribed, in fixed windows.
    if (block.vadError !== undefined) {
      yield* fixedStream(source, block.from, maxSeconds);
      return;
    }
    yield* windowsFromRegions(block.regions, maxSeconds);
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
