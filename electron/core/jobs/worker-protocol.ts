import type { DeviceInfo, Segment } from '../asr/types.ts';
import type { ActiveStage, JobError, PipelineInput, PipelineOutput } from './types.ts';

export type WorkerRequest =
  | { type: 'run'; input: PipelineInput }
  | { type: 'cancel'; jobId: string }
  | { type: 'finish'; jobId: string }
  | { type: 'dispose' };

export type WorkerResponse =
  | { type: 'stage'; jobId: string; stage: ActiveStage; fraction: number }
  | { type: 'device'; jobId: string; device: DeviceInfo }
  | { type: 'duration'; jobId: string; seconds: number }
  | { type: 'segment'; jobId: string; segment: Segment }
  | { type: 'resume'; jobId: string; fromSeconds: number }
  | { type: 'done'; jobId: string; output: PipelineOutput }
  | { type: 'error'; jobId: string; error: JobError }
  | { type: 'disposed' };
