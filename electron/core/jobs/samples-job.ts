/**
 * The API server's unit of work inside the job worker: 16 kHz samples it has already decoded (an upload, a fetched
 * URL, a live stream's window) through the worker's loaded model, with speakers when asked. Running here rather than
 * on the server's event loop keeps /health, authentication, uploads and WebSocket frames answering while a window is
 * encoded (onnxruntime-node's session.run holds its thread until the window is done).
 */
import type { DeviceInfo, Segment, SpeechModel, TranscriptResult } from '../asr/types.ts';
import { ArraySource } from '../asr/pcm-source.ts';
import { createDiarizer, diarizeSource, withSpeakers } from '../diarize/index.ts';
import type { NeuralModels } from '../diarize/models/neural.ts';
import { cachedModel } from './engine.ts';

export interface ModelLoadRequest {
  modelDir: string;
  device: 'auto' | 'cpu' | 'gpu';
  threads?: number;
}

/** What the server needs to know of the model a worker holds (health, language checks, logs). */
export interface LoadedModelInfo {
  family: SpeechModel['family'];
  name: string;
  device: DeviceInfo;
  languages: string[];
  notice?: string;
}

export interface SamplesRequest extends ModelLoadRequest {
  samples: Float32Array;
  /** Undefined: detect it. */
  language?: string;
  wordTimestamps: boolean;
  /** Continue an interrupted run: skip the windows that end by then (seconds; TranscribeOptions.resumeAfter). */
  resumeAfter?: number;
  /** Post each segment as it finishes (`segment` messages) and the progress after each window (`stage`). */
  streamSegments?: boolean;
  /** Label speakers (the neural models' folders, or undefined for the classical method). */
  diarization?: { numSpeakers?: number; models?: NeuralModels };
}

export async function loadModelInfo(request: ModelLoadRequest): Promise<LoadedModelInfo> {
  const model = await cachedModel(request.modelDir, request.device, request.threads);
  const { family, name, device, languages, notice } = model;
  return { family, name, device, languages, ...(notice ? { notice } : {}) };
}

/**
 * `stream` receives each segment as soon as it is recognised and the fraction done after each window (a cluster
 * worker saves them as the job's checkpoint); with speakers there is none, as segments are labelled only once the
 * whole recording is read.
 */
export async function transcribeSamples(
  request: SamplesRequest,
  signal: AbortSignal,
  stream?: { segment(segment: Segment): void; progress(fraction: number): void },
): Promise<TranscriptResult> {
  const model = await cachedModel(request.modelDir, request.device, request.threads);
  const { samples, language } = request;
  const pcm = { samples, sampleRate: 16000 as const };
  if (!request.diarization) {
    const run = model.transcribe(pcm, {
      language,
      wordTimestamps: request.wordTimestamps,
      signal,
      resumeAfter: request.resumeAfter,
      // Reported once the window's segments have reached `stream` (the iteration below runs on microtasks; the
      // next window's inference ends on a later turn of the event loop), so each progress covers its segments.
      onProgress: stream && ((fraction) => setImmediate(() => stream.progress(fraction))),
    });
    if (stream) for await (const segment of run) stream.segment(segment);
    return run.result();
  }
  // Diarization reads the same samples after the transcription, reusing the regions its VAD found. Words are needed
  // to label (and split) segments, so they are always computed; the server shows them only on request.
  const diarizer = await createDiarizer({
    numSpeakers: request.diarization.numSpeakers,
    signal,
    models: request.diarization.models,
    threads: request.threads,
  });
  try {
    const result = await model
      .transcribe(pcm, { language, wordTimestamps: true, signal, onSpeech: (span) => diarizer.addSpeech(span) })
      .result();
    return withSpeakers(result, await diarizeSource(new ArraySource(samples), diarizer));
  } finally {
    await diarizer.dispose();
  }
}
