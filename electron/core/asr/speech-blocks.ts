/**
 * Voice activity detection over a recording of any length, a block at a time, shared by every model family (Whisper's
 * batched mode, CTC's windows): a block of a few minutes is read from the PcmSource, its speech regions found, and a
 * region that runs into the block's end is left whole for the next block. Only one block (plus a look-ahead) is ever
 * in memory. How much each region is padded is the family's choice (its `defaults.vad`).
 */
import { detectSpeech, type SpeechRegion } from '../audio/index.ts';
import { EarshotError, throwIfAborted } from '../errors.ts';
import type { PcmSource } from './pcm-source.ts';
import type { TranscribeOptions } from './types.ts';

const SAMPLE_RATE = 16000;
/** Seconds of audio given to voice activity detection at a time (a block costs 4 bytes × 16,000 per second). */
export const VAD_BLOCK_SECONDS = 240;

/** How a family runs voice activity detection (TranscribeOptions.vad turns it on or off, not how). */
export interface VadSettings {
  /** Padding added to each side of a region, in ms (the detector meets halfway between close regions). */
  speechPadMs: number;
  /** Silence that ends a region, in ms. */
  minSilenceMs: number;
}

export interface SpeechBlock {
  /** Seconds: where the block starts. */
  from: number;
  /** Sample index where the block ends (exclusive); the next block starts there. */
  end: number;
  /** The block's speech, in seconds of the whole recording, each inside [from, end). */
  regions: SpeechRegion[];
  /**
   * Set (with no regions, as the last block) when the detector failed and `continueWithoutVad` was asked for: the
   * caller transcribes the rest from `from` without VAD.
   */
  vadError?: unknown;
}

export interface SpeechBlockOptions {
  vad: VadSettings;
  /** Block length in seconds (default VAD_BLOCK_SECONDS; tests shorten it to cross block borders with little audio). */
  blockSeconds?: number;
  /** Samples read past the block, so that speech running into its end is seen to go on. */
  lookaheadSamples: number;
  /** Regions known already (seconds): clipped to each block instead of running the detector. */
  regions?: SpeechRegion[];
  /** A detector failure ends the blocks with `vadError` instead of throwing (cancellation still throws). */
  continueWithoutVad?: boolean;
  signal?: AbortSignal;
  /** Receives each block's speech (TranscribeOptions.onSpeech). */
  onSpeech?: TranscribeOptions['onSpeech'];
}

/**
 * Yields the blocks in time order. The generator is lazy: when the next block is asked for, the caller is done with
 * the previous one, and the samples before the new block are released from the source.
 */
export async function* speechBlocks(source: PcmSource, options: SpeechBlockOptions): AsyncGenerator<SpeechBlock> {
  const blockSamples = Math.round((options.blockSeconds ?? VAD_BLOCK_SECONDS) * SAMPLE_RATE);
  let pos = 0;
  while (true) {
    throwIfAborted(options.signal);
    source.release(pos);
    await source.fill(pos + blockSamples + options.lookaheadSamples);
    let end = Math.min(source.available, pos + blockSamples);
    if (end <= pos) return;
    const from = pos / SAMPLE_RATE;
    let regions: SpeechRegion[];
    if (options.regions) {
      regions = clip(options.regions, from, end / SAMPLE_RATE);
    } else {
      try {
        const found = await detectSpeech(source.view(pos, end), { ...options.vad, signal: options.signal });
        regions = found.map((r) => ({ start: r.start + from, end: r.end + from }));
      } catch (e) {
        if (!options.continueWithoutVad || (e instanceof EarshotError && e.code === 'CANCELLED')) throw e;
        yield { from, end: pos, regions: [], vadError: e };
        return;
      }
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
    yield { from, end, regions };
    pos = Math.max(end, pos + 1);
  }
}

function clip(regions: SpeechRegion[], from: number, to: number): SpeechRegion[] {
  return regions
    .filter((r) => r.end > from && r.start < to)
    .map((r) => ({ start: Math.max(from, r.start), end: Math.min(to, r.end) }));
}
