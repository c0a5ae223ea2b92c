/**
 * The typed contract between the renderer and the main process. The preload exposes exactly this object as
 * `window.earshot`; the renderer imports only these types. Every request payload is validated in main
 * (electron/main/ipc.ts) with the schemas in electron/contract/schemas.ts.
 */
import type { DeviceInfo, Segment, Word } from '../core/asr/types.ts';
import type { ErrorCode } from '../core/errors.ts';
import type { JobRecord, JobSettingsRecord as JobSettings } from '../core/jobs/types.ts';
import type { StoredTranscript } from '../core/library/library.ts';
import type { SearchHit } from '../core/library/search.ts';
import type { LiveEvent } from '../core/live/recordings.ts';
import type { DataNotice } from '../core/data-notices.ts';

export type { DeviceInfo, Segment, Word, ErrorCode };

/** Errors cross the bridge as plain data carrying the shared code. */
export interface ApiError {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export interface LicenseStatus {
  state: 'none' | 'valid' | 'invalid' | 'expired' | 'not_yet_valid' | 'quota_exceeded';
  /** The exact reason, from the shared error table, when not valid. */
  error?: ApiError;
  maskedKey?: string;
  customer?: string;
  plan?: string;
  expiresAt?: string;
  usage?: { audioHoursToday: number; audioHoursPerDay: number; resetsAt: string };
  /** True when the OS offers no real secret store (Linux `basic_text`): the key is only obfuscated. */
  weakStorage?: boolean;
}

/** The queue's own types are the contract's: one definition, in core. */
export type { JobStage, JobSettingsRecord as JobSettings } from '../core/jobs/types.ts';

/** A job as the queue keeps it; its `error` has the ApiError shape (code, message, details). */
export type JobView = JobRecord;

/** A transcript in lists: the stored record without its segments. */
export type TranscriptSummary = Omit<StoredTranscript, 'segments' | 'originalSegments' | 'device'> & {
  /** True once the user edited the text. */
  edited?: boolean;
  /** The first words, for lists. */
  preview?: string;
  /** Speaker names, when the transcript was diarized. */
  speakers?: string[];
};

/** A whole transcript: the stored record, with whether it was edited instead of the original segments. */
export type Transcript = Omit<StoredTranscript, 'originalSegments'> & {
  edited?: boolean;
  /** What the model recognised, when the user edited it since (per-segment "revert"). */
  recognised?: Segment[];
};

export type ExportFormat = 'txt' | 'txt-timestamps' | 'srt' | 'vtt' | 'json' | 'docx' | 'csv';

export interface ModelView {
  id: string;
  name: string;
  /** Transcription (whisper, ctc) or diarization (pyannote segmentation, wespeaker speaker embeddings). */
  family: 'whisper' | 'ctc' | 'pyannote' | 'wespeaker';
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

export interface Settings {
  device: 'auto' | 'cpu' | 'gpu';
  threads: number;
  language: string;
  task: 'transcribe' | 'translate';
  vad: boolean;
  defaultModelId?: string;
  theme: 'system' | 'light' | 'dark';
  server: { enabled: boolean; port: number; host: string };
  /** Subtitle line limits for SRT/VTT exports. */
  subtitles: { maxLineLength: number; maxLines: number };
  /** Speaker labels: on by default for new jobs or not, and how they are found. */
  diarization: { enabled: boolean; method: 'auto' | 'classical' | 'neural' };
  /** The watch folder: new media files there are transcribed and the transcript written next to them. */
  watch: { enabled: boolean; folder: string; format: ExportFormat };
  /** Every finished transcript is also written into this folder. */
  autoExport: { enabled: boolean; folder: string; format: ExportFormat };
}

/** A settings patch: nested objects may be partial. */
export type SettingsPatch = Partial<Omit<Settings, 'server' | 'subtitles' | 'diarization' | 'watch' | 'autoExport'>> & {
  watch?: Partial<Settings['watch']>;
  autoExport?: Partial<Settings['autoExport']>;
  server?: Partial<Settings['server']>;
  subtitles?: Partial<Settings['subtitles']>;
  diarization?: Partial<Settings['diarization']>;
};

export interface ServerStatus {
  running: boolean;
  url?: string;
  /** Why it is not running although enabled (port in use, no license...). */
  error?: ApiError;
  /** A ready-to-paste request against the running server. */
  curlExample?: string;
}

/** Commands the main process sends to the window (menus, files opened from the OS, the global record shortcut). */
export type AppCommand =
  | { type: 'navigate'; view: 'queue' | 'history' | 'settings' | 'record' }
  | { type: 'openFiles' }
  | { type: 'toggleRecording' };

/** What the live recording pushes to the window: provisional and final text, errors, the saved transcript. */
export type { LiveEvent } from '../core/live/recordings.ts';

export interface LiveStartOptions {
  /** Default: the default model. */
  modelId?: string;
  /** Default: the settings' language. */
  language?: string;
}

export interface LiveSession {
  id: string;
  startedAt: string;
  model: string;
}

import type { WatchStatus } from '../core/desktop/watch-folder.ts';
export type { WatchStatus };

export interface SystemInfo {
  platform: string;
  cpus: number;
  memoryBytes: number;
  providers: string[];
  appVersion: string;
  dataHome: string;
  /** Threads used when the setting is 0 (auto). */
  defaultThreads: number;
  /** Each GPU provider tried on this machine and whether it loads. */
  gpu: { provider: string; available: boolean; reason?: string }[];
}

export type { SearchHit } from '../core/library/search.ts';
/** A data file that could not be used at start: it was set aside and what it held was reset (see README). */
export type { DataNotice } from '../core/data-notices.ts';

/** `window.earshot` */
export interface EarshotApi {
  license: {
    status(): Promise<Result<LicenseStatus>>;
    set(key: string): Promise<Result<LicenseStatus>>;
    remove(): Promise<Result<LicenseStatus>>;
  };
  jobs: {
    list(): Promise<Result<JobView[]>>;
    addFiles(paths: string[], settings?: JobSettings): Promise<Result<JobView[]>>;
    addUrl(url: string, settings?: JobSettings): Promise<Result<JobView>>;
    cancel(id: string): Promise<Result<void>>;
    retry(id: string): Promise<Result<JobView>>;
    remove(id: string): Promise<Result<void>>;
    /** Holds the queue (the running job finishes) or lets it go on; returns the new state. */
    setPaused(paused: boolean): Promise<Result<boolean>>;
    isPaused(): Promise<Result<boolean>>;
    onUpdate(listener: (job: JobView) => void): () => void;
  };
  transcripts: {
    list(): Promise<Result<TranscriptSummary[]>>;
    get(id: string): Promise<Result<Transcript>>;
    updateSegments(id: string, segments: Segment[]): Promise<Result<Transcript>>;
    rename(id: string, title: string): Promise<Result<TranscriptSummary>>;
    remove(id: string): Promise<Result<void>>;
    restore(id: string): Promise<Result<TranscriptSummary>>;
    search(query: string): Promise<Result<SearchHit[]>>;
    export(
      id: string,
      format: ExportFormat,
    ): Promise<Result<{ fileName: string; mime: string; data: string; encoding: 'utf8' | 'base64' }>>;
    /** URL the renderer's <audio>/<video> element can play (custom protocol in Electron). */
    mediaUrl(id: string): Promise<Result<string | null>>;
  };
  models: {
    list(): Promise<Result<ModelView[]>>;
    pull(id: string, variant?: string): Promise<Result<void>>;
    cancelPull(id: string): Promise<Result<void>>;
    import(dir: string): Promise<Result<ModelView>>;
    remove(id: string): Promise<Result<void>>;
    setDefault(id: string): Promise<Result<void>>;
    recommend(): Promise<Result<ModelRecommendation>>;
    onProgress(listener: (p: ModelDownloadProgress) => void): () => void;
  };
  settings: {
    get(): Promise<Result<Settings>>;
    update(patch: SettingsPatch): Promise<Result<Settings>>;
  };
  server: {
    status(): Promise<Result<ServerStatus>>;
  };
  watch: {
    status(): Promise<Result<WatchStatus>>;
  };
  /** Microphone recording with live text (the renderer captures; the core transcribes and stores). */
  live: {
    /** Loads the model ahead of a recording (the Record screen opened). */
    prepare(options?: LiveStartOptions): Promise<Result<void>>;
    start(options?: LiveStartOptions): Promise<Result<LiveSession>>;
    /** One frame of 16-bit little-endian mono PCM at 16 kHz, base64. */
    audio(id: string, pcm: string): Promise<Result<void>>;
    /** The next piece of the compressed recording (MediaRecorder's Opus/WebM), base64. */
    media(id: string, chunk: string): Promise<Result<void>>;
    /** Decides the text said so far (the user paused). */
    pause(id: string): Promise<Result<void>>;
    /** Stops and saves the recording as a history item; `device-lost` marks it interrupted. */
    stop(id: string, reason?: 'user' | 'device-lost'): Promise<Result<TranscriptSummary>>;
    /** Queues a recording's audio as a file job (an interrupted recording, transcribed again). */
    retranscribe(transcriptId: string): Promise<Result<JobView>>;
    onEvent(listener: (event: LiveEvent) => void): () => void;
  };
  app: {
    onCommand(listener: (command: AppCommand) => void): () => void;
  };
  system: {
    info(): Promise<Result<SystemInfo>>;
    /** Native file/folder picker; returns absolute paths. */
    pickFiles(): Promise<Result<string[]>>;
    /** Puts text on the clipboard (exports, the API's curl example). */
    copyText(text: string): Promise<Result<void>>;
    /** The absolute path of a dropped File (Electron's webUtils.getPathForFile). */
    pathForFile(file: File): string;
    /** Data files that were damaged or from a newer version and were reset, until dismissed. */
    notices(): Promise<Result<DataNotice[]>>;
    dismissNotice(id: string): Promise<Result<void>>;
  };
}

/** Channel names: `<service>:<method>` for invoke (see channels.ts), `<service>:event` for pushes. */
export const EVENT_CHANNELS = {
  jobUpdate: 'jobs:event',
  modelProgress: 'models:event',
  appCommand: 'app:event',
  liveEvent: 'live:event',
} as const;
