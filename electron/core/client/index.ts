export {
  type HealthStatus,
  type JobAccepted,
  type JobState,
  SmallestApiError,
  SmallestClient,
  type SmallestClientOptions,
  type TranscribeOptions,
  type TranscriptionResult,
  type TranscriptWord,
} from './smallest-client.ts';
