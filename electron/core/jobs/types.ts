import type { DeviceInfo, Segment, TranscriptResult } from '../asr/types.ts';
import type { NeuralModels } from '../diarize/models/neural.ts';
import type { ApiError } from '../errors.ts';
import type { JobSettingsRecord } from './job-settings.ts';

export type JobStage = 'queued' | 'downloading' | 'decoding' | 'transcribing' | 'done' | 'failed' | 'cancelled';
export type ActiveStage = 'downloading' | 'decoding' | 'transcribing';

/** A job's failure: error data as core/errors.ts `toApiError` makes it. */
export type JobError = ApiError;

/** A job's settings: the type of the one schema (job-settings.ts). */
export type { JobSettingsRecord };

/** What the queue persists and shows (the contract's JobView). */
export interface JobRecord {
  id: string;
  source: { kind: 'file' | 'url'; value: string; name: string };
  stage: JobStage;
  progress: number;
  etaSeconds?: number;
  /** Seconds of audio, once decoded. */
  duration?: number;
  device?: DeviceInfo;
  /** The model that runs (or ran) the job. */
  model?: string;
  error?: JobError;
  transcriptId?: string;
  /**
   * The id the transcript is being saved under, chosen and written to the queue before the save: after a crash in
   * between, the job is found done instead of run again into a second transcript.
   */
  savingAs?: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** True when the job was interrupted by a restart or crash and put back in the queue. */
  resumed?: boolean;
  /** Seconds of audio already transcribed before the interruption; the run continued from there. */
  resumedFrom?: number;
  /** The most recently recognised text while transcribing (a live preview). */
  preview?: string;
  settings: JobSettingsRecord;
}

export interface PipelineInput {
  jobId: string;
  source: { kind: 'file' | 'url'; value: string };
  /** Where a downloaded URL's media is kept for playback. */
  mediaDir: string;
  modelDir: string;
  modelName: string;
  /** The job's settings once its model is resolved. */
  options: Omit<JobSettingsRecord, 'modelId'>;
  /** What an interrupted run of this job had finished; the engine continues after its last segment. */
  resume?: JobCheckpoint;
  /** Speaker diarization, resolved by the queue (the model folders when the neural method runs). */
  diarization?: { numSpeakers?: number; models?: NeuralModels };
}

/**
 * The finished segments of a running job, saved as it goes (jobs/<id>.partial.json) so that a crash or restart
 * costs at most the few seconds since the last save, not the whole file.
 */
export interface JobCheckpoint {
  /** The model that produced the segments; another model starts over. */
  model: string;
  /** Seconds of audio in the decoded input; a different length means different media, which starts over. */
  duration: number;
  segments: Segment[];
}

export interface PipelineCallbacks {
  signal: AbortSignal;
  /**
   * Fired to end the job early but normally (the audio quota ran out): no more audio is read, the model finishes what
   * it was given, and the run resolves with the transcript so far.
   */
  finish?: AbortSignal;
  onStage(stage: ActiveStage, fraction: number): void;
  onDevice(device: DeviceInfo): void;
  onDuration(seconds: number): void;
  /** Each segment as soon as it is recognised (times in the whole recording). */
  onSegment?(segment: Segment): void;
  /** Where a resumed run continues (seconds), once the engine has checked the checkpoint against the media. */
  onResume?(fromSeconds: number): void;
}

export type { UsageMeter } from '../asr/metered.ts';

export interface PipelineOutput {
  result: TranscriptResult;
  /** The file to play back next to the transcript. */
  mediaPath: string;
}

/** Downloads, decodes and transcribes one job. Implemented off the main thread by WorkerPipeline. */
export interface TranscriptionPipeline {
  run(input: PipelineInput, callbacks: PipelineCallbacks): Promise<PipelineOutput>;
  dispose(): Promise<void>;
}
