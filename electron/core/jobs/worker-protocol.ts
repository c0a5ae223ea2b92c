import type { DeviceInfo, Segment, TranscriptResult } from '../asr/types.ts';
import type { LoadedModelInfo, ModelLoadRequest, SamplesRequest } from './samples-job.ts';
import type { ActiveStage, JobError, PipelineInput, PipelineOutput } from './types.ts';

export type WorkerRequest =
  | { type: 'run'; input: PipelineInput }
  | { type: 'cancel'; jobId: string }
  | { type: 'finish'; jobId: string }
  | { type: 'dispose' }
  /** The API server's model threads: load the model once, then run decoded samples through it. */
  | { type: 'load'; request: ModelLoadRequest }
  | { type: 'samples'; jobId: string; request: SamplesRequest };

export type WorkerResponse =
  | { type: 'stage'; jobId: string; stage: ActiveStage; fraction: number }
  | { type: 'device'; jobId: string; device: DeviceInfo }
  | { type: 'duration'; jobId: string; seconds: number }
  | { type: 'segment'; jobId: string; segment: Segment }
  | { type: 'resume'; jobId: string; fromSeconds: number }
  | { type: 'done'; jobId: string; output: PipelineOutput }
  | { type: 'error'; jobId: string; error: JobError }
  | { type: 'disposed' }
  | { type: 'loaded'; model: LoadedModelInfo }
  | { type: 'load-failed'; error: JobError }
  | { type: 'transcript'; jobId: string; result: TranscriptResult };
