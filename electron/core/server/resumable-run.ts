/**
 * A queued job's run on a cluster worker, saving its checkpoint as it goes and continuing where an earlier run of the
 * job (on a worker that died) got to. Two ways to continue, one per kind of model:
 * - CTC replans its windows over the whole recording and skips those already done (`resumeAfter`): the text is the
 *   one an uninterrupted run gives.
 * - Every other family (Whisper) continues as the desktop's job engine does (jobs/resume.ts, the same helpers): the
 *   audio after the last saved segment's end is transcribed, its segments are moved onto the recording's timeline and
 *   numbered after the saved ones, and the saved segments are kept as they are. Whisper cannot skip windows of a
 *   replanned run (its windows follow the timestamps it decodes, and its temperature fallback samples from one seeded
 *   stream over the run), so the text after the resume point is that of a run over the rest of the audio, as on the
 *   desktop after a crash.
 */
import type { Segment, TranscriptResult } from '../asr/types.ts';
import { joinResumed, resumePoint, shiftSegment } from '../jobs/resume.ts';
import type { JobCheckpoint } from '../jobs/types.ts';
import type { ModelRunner, SamplesOptions, SegmentListener } from './model-threads.ts';

/** What a run of a queued job had finished: the segments of its windows done, and where the last of them ended. */
export interface RunCheckpoint extends JobCheckpoint {
  through: number;
}

/** A queued job's checkpoint: what an earlier run finished, and where this run saves its own as windows finish. */
export interface Checkpointing {
  resume?: RunCheckpoint;
  save(checkpoint: RunCheckpoint): void;
  /** Told where the run continues (seconds) when it continues an earlier one. */
  resumed?(fromSeconds: number): void;
}

export interface DecodedAudio {
  samples: Float32Array;
  sampleRate: 16000;
  duration: number;
}

/** Runs `audio` through `model` (no speakers: they are labelled over the whole recording, so such a job starts over). */
export function runFromCheckpoint(
  model: ModelRunner,
  audio: DecodedAudio,
  options: Omit<SamplesOptions, 'diarization' | 'resumeAfter'>,
  signal: AbortSignal,
  checkpoint: Checkpointing,
): Promise<TranscriptResult> {
  return model.family === 'ctc'
    ? continueCtc(model, audio, options, signal, checkpoint)
    : continueAfterSegments(model, audio, options, signal, checkpoint);
}

/** CTC: the whole recording again, the windows that end by the checkpoint skipped. */
async function continueCtc(
  model: ModelRunner,
  audio: DecodedAudio,
  options: Omit<SamplesOptions, 'diarization' | 'resumeAfter'>,
  signal: AbortSignal,
  checkpoint: Checkpointing,
): Promise<TranscriptResult> {
  const resume = checkpoint.resume;
  const from =
    resume &&
    resume.model === model.name &&
    Math.abs(resume.duration - audio.duration) < 0.01 &&
    resume.through > 0 &&
    resume.through < audio.duration
      ? resume.through
      : 0;
  const saved = from > 0 ? resume!.segments : [];
  if (from > 0) checkpoint.resumed?.(from);
  const segments = [...saved];
  const stream: SegmentListener = {
    segment: (segment: Segment) => {
      segments.push({ ...segment, id: segments.length });
    },
    // After each window: its segments and where it ended, as one checkpoint.
    progress: (fraction: number) => {
      const through = Math.min(audio.duration, fraction * audio.duration);
      checkpoint.save({ model: model.name, duration: audio.duration, segments: [...segments], through });
    },
  };
  const resumeAfter = from > 0 ? from : undefined;
  const result = await model.run(audio.samples, { ...options, resumeAfter }, signal, stream);
  // The run's segments are on the recording's timeline already (offset 0); only their ids follow the saved ones.
  return from > 0 ? joinResumed(saved, result, 0, result.duration) : result;
}

/** Whisper (any family that cannot skip windows): the audio after the last saved segment, as the desktop resumes. */
async function continueAfterSegments(
  model: ModelRunner,
  audio: DecodedAudio,
  options: Omit<SamplesOptions, 'diarization' | 'resumeAfter'>,
  signal: AbortSignal,
  checkpoint: Checkpointing,
): Promise<TranscriptResult> {
  const from = resumePoint(checkpoint.resume, model.name, audio.duration) ?? 0;
  const saved = from > 0 ? checkpoint.resume!.segments : [];
  if (from > 0) checkpoint.resumed?.(from);
  const segments = [...saved];
  const save = (through: number) =>
    checkpoint.save({ model: model.name, duration: audio.duration, segments: [...segments], through });
  const stream: SegmentListener = {
    // Saved at each segment, not only after each window: Whisper reports progress once per batch of windows, and
    // a continued run starts after the last saved segment (the saver throttles the writes).
    segment: (segment: Segment) => {
      const shifted = shiftSegment(segment, from, saved.length);
      segments.push(shifted);
      save(shifted.end);
    },
    progress: (fraction: number) => save(Math.min(audio.duration, from + fraction * (audio.duration - from))),
  };
  // A copy that owns its buffer, so that it is handed to the model's thread rather than cloned with the whole recording.
  const samples = from > 0 ? audio.samples.slice(Math.round(from * audio.sampleRate)) : audio.samples;
  const rest = await model.run(samples, options, signal, stream);
  return from > 0 ? joinResumed(saved, rest, from, audio.duration) : rest;
}
