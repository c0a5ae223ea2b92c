/** The model manager's views for the UI (the contract re-exports them). */
import type { SpeechFamilyId } from '../asr/families.ts';
import type { DiarizationFamily } from '../diarize/models/folder.ts';
import type { ApiError } from '../errors.ts';

export interface ModelView {
  id: string;
  name: string;
  /** A transcription family (asr/families.ts) or a diarization one (pyannote segmentation, wespeaker embeddings). */
  family: SpeechFamilyId | DiarizationFamily;
  /** A transcription model (a registered speech family), as opposed to a diarization one. */
  transcribes: boolean;
  installed: boolean;
  isDefault: boolean;
  bundled: boolean;
  sizeBytes?: number;
  languages: string[];
  description?: string;
  /** Honest label, e.g. for the demo model trained on synthetic voices. */
  notice?: string;
  /**
   * How word times are found: 'aligned' on the audio (the export has cross-attention outputs) or 'approximate'
   * (spread over the segment by length); absent when not known (e.g. an imported model never opened).
   */
  wordTiming?: 'aligned' | 'approximate';
}

/** The model suggested for this computer (memory, cores, the devices that load), for the first-run download. */
export interface ModelRecommendation {
  id: string;
  name: string;
  variant?: string;
  /** Download size of that variant. */
  sizeBytes?: number;
  reason: string;
  installed: boolean;
}

export interface ModelDownloadProgress {
  modelId: string;
  receivedBytes: number;
  totalBytes: number;
  bytesPerSecond: number;
  etaSeconds?: number;
  state: 'downloading' | 'verifying' | 'installed' | 'failed' | 'cancelled';
  error?: ApiError;
  /** The weight variant being downloaded, once chosen. */
  variant?: string;
  /** Set when the default variant was incomplete on the server and another one is downloaded instead. */
  notice?: string;
}
