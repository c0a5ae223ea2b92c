/**
 * Transcription and diarization over one decode: the diarizer reads each chunk just before the transcriber does,
 * and takes the speech regions the transcriber's VAD finds. Used by the CLI, the desktop's job worker and the server.
 */
import type { SpeechModel, TranscribeOptions, TranscriptionRun, TranscriptResult } from '../asr/types.ts';
import { teeChunks, withSpeakers } from './index.ts';
import type { DiarizationResult, Diarizer } from './types.ts';

export interface DiarizedRun {
  /** The transcription; iterate it for segments as they finish, or await `result()`. */
  run: TranscriptionRun;
  /**
   * Once the run is done: the diarizer finishes and the result's words and segments get their speakers (the
   * diarizer's own turns come along, for scoring).
   */
  label(result: TranscriptResult): Promise<{ result: TranscriptResult; diarization: DiarizationResult }>;
}

/**
 * `skipSeconds` of audio at the start go to the diarizer only (a resumed job transcribed them before); the
 * transcriber's times, which start after them, are shifted back for the diarizer.
 */
export function transcribeAlongside(
  model: SpeechModel,
  chunks: AsyncIterable<Float32Array>,
  options: TranscribeOptions & { durationHint?: number },
  diarizer: Diarizer,
  skipSeconds = 0,
): DiarizedRun {
  const run = model.transcribeStream(teeChunks(chunks, diarizer, Math.round(skipSeconds * 16000)), {
    ...options,
    onSpeech: (span) => {
      options.onSpeech?.(span);
      diarizer.addSpeech({
        from: span.from + skipSeconds,
        to: span.to + skipSeconds,
        regions: span.regions.map((r) => ({ start: r.start + skipSeconds, end: r.end + skipSeconds })),
      });
    },
  });
  // A transcription that fails or is cancelled never reaches `label`: the diarizer's models are released anyway.
  run.result().catch(() => diarizer.dispose());
  return {
    run,
    label: async (result) => {
      const diarization = await diarizer.finish();
      return { result: withSpeakers(result, diarization), diarization };
    },
  };
}
