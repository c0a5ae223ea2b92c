/**
 * Speaker diarization: who spoke when. Runs beside transcription on the same stream of decoded audio (see
 * `teeChunks`), reusing the transcriber's voice activity detection, and labels the transcript's words and segments.
 * Two methods: `classical` (no weights, approximate, always there) and `neural` (pyannote segmentation-3.0 +
 * WeSpeaker ResNet34 from an installed diarization model folder; see ./models).
 */
import type { DiarizationSummary, TranscriptResult } from '../asr/types.ts';
import type { PcmSource } from '../asr/pcm-source.ts';
import { EarshotError } from '../errors.ts';
import { labelSegments } from './assign.ts';
import { ClassicalDiarizer } from './classical.ts';
import type { NeuralModels } from './models/neural.ts';
import type { DiarizationMethod, DiarizationResult, DiarizeOptions, Diarizer } from './types.ts';

export {
  friendly,
  friendlySpeakerNames,
  labelSegments,
  speakerAt,
  speakersOf,
  speakerUtterances,
  type Utterance,
} from './assign.ts';
export { diarizationErrorRate, type DerReport } from './der.ts';
export type { NeuralModels } from './models/neural.ts';
export type { DiarizationMethod, DiarizationResult, DiarizeOptions, Diarizer, SpeakerTurn } from './types.ts';

/** Speakers asked for at most (the API refuses more; the classical method tells at most this many apart). */
export const MAX_SPEAKERS = 32;

export interface DiarizerSetup extends DiarizeOptions {
  /** Segmentation and embedding model folders for the neural method; the classical method when absent. */
  models?: NeuralModels;
  /** Threads for the neural models. */
  threads?: number;
}

export function checkSpeakerCount(n: number | undefined, parameter = 'num_speakers'): void {
  if (n === undefined) return;
  if (!Number.isInteger(n) || n < 1 || n > MAX_SPEAKERS) {
    throw new EarshotError('INVALID_PARAMETER', `${parameter} must be a whole number from 1 to ${MAX_SPEAKERS}`, {
      parameter,
    });
  }
}

export async function createDiarizer(setup: DiarizerSetup = {}): Promise<Diarizer> {
  checkSpeakerCount(setup.numSpeakers);
  if (!setup.models) return new ClassicalDiarizer(setup);
  const { loadNeuralDiarizer } = await import('./models/neural.ts');
  return loadNeuralDiarizer(setup.models, setup);
}

/**
 * The chunks as they are, each also given to the diarizer first, so transcription and diarization read one decode.
 * `skip` samples at the start go to the diarizer only (a resumed job has transcribed them already).
 */
export async function* teeChunks(
  chunks: AsyncIterable<Float32Array>,
  diarizer: Diarizer,
  skip = 0,
): AsyncGenerator<Float32Array> {
  let left = skip;
  for await (const chunk of chunks) {
    await diarizer.push(chunk);
    if (left >= chunk.length) {
      left -= chunk.length;
      continue;
    }
    yield left > 0 ? chunk.subarray(left) : chunk;
    left = 0;
  }
}

/** Diarizes a PcmSource on its own (no transcription alongside), reading and releasing it a block at a time. */
export async function diarizeSource(
  source: PcmSource,
  diarizer: Diarizer,
  blockSeconds = 30,
): Promise<DiarizationResult> {
  const block = blockSeconds * 16000;
  let pos = 0;
  while (true) {
    await source.fill(pos + block);
    const end = Math.min(source.available, pos + block);
    if (end > pos) await diarizer.push(source.view(pos, end).slice());
    source.release(end);
    pos = end;
    if (source.ended && pos >= source.available) break;
  }
  return diarizer.finish();
}

/** The transcript with every word and segment labelled, and a summary of the diarization. */
export function withSpeakers(result: TranscriptResult, diarization: DiarizationResult): TranscriptResult {
  return { ...result, segments: labelSegments(result.segments, diarization.turns), diarization: summary(diarization) };
}

export function summary(d: DiarizationResult): DiarizationSummary {
  const s: DiarizationSummary = { method: d.method, approximate: d.approximate, speakers: d.speakers };
  if (d.note) s.note = d.note;
  return s;
}

export function methodLabel(method: DiarizationMethod): string {
  return method === 'classical' ? 'approximate (no model)' : 'pyannote + WeSpeaker';
}
