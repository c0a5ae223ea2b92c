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
import type { ApiError } from '../core/errors.ts';
import type { LicenseStatus } from '../core/license/status.ts';
import type { ModelDownloadProgress, ModelRecommendation, ModelView } from '../core/models/views.ts';
import type { LiveEvent } from '../core/live/recordings.ts';
import type { DataNotice } from '../core/data-notices.ts';
import type { ExportFormat } from '../core/export/index.ts';
import type { SettingsPatch, SettingsRecord } from '../core/settings/schema.ts';

export type { DeviceInfo, Segment, Word, ErrorCode };
// Defined in core, where they are produced (core never imports the contract: no core ↔ contract cycle).
export type { ApiError, LicenseStatus, ModelDownloadProgress, ModelRecommendation, ModelView };

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

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

/**
 * A slice of History's list, newest first (transcripts.page): `total` transcripts in all; `version` changes whenever
 * the list does, so rows held from a page of another version may be out of place and are asked for again.
 */
export interface TranscriptPage {
  total: number;
  version: number;
  offset: number;
  items: TranscriptSummary[];
  /** False while the app opens: the list as last saved, not yet checked against the transcripts folder (version 0;
   *  ask again with `checked`). */
  checked: boolean;
}

/** A transcript in the trash: restorable until `purgeAt` (a week after `deletedAt`), then deleted for good. */
export type TrashedTranscript = TranscriptSummary & { deletedAt: string; purgeAt: string };

/** A whole transcript: the stored record, with whether it was edited instead of the original segments. */
export type Transcript = Omit<StoredTranscript, 'originalSegments'> & {
  edited?: boolean;
  /** What the model recognised, when the user edited it since (per-segment "revert"). */
  recognised?: Segment[];
};

/** The export formats: core's one list (core/export/index.ts EXPORT_FORMATS). */
export type { ExportFormat };

/** The settings record and a patch of it: core's zod schemas (core/settings/schema.ts) are the one source. */
export type Settings = SettingsRecord;
export type { SettingsPatch };

export interface ServerStatus {
  running: boolean;
  url?: string;
  /** Why it is not running although enabled (port in use, no license...). */
  error?: ApiError;
  /** A ready-to-paste request against the running server. */
  curlExample?: string;
}

/** A folder chosen for "Export all". */
export interface ExportBatch {
  batch: string;
  folder: string;
}

/** Commands the main process sends to the window (menus, files opened from the OS, the global record shortcut). */
export type AppCommand =
  | { type: 'navigate'; view: 'queue' | 'history' | 'trash' | 'settings' | 'record' }
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

/** The watch folder's state as Settings shows it. */
export interface WatchStatus {
  running: boolean;
  folder?: string;
  /** Why it is not watching although enabled (folder missing, not a folder, not readable). */
  error?: string;
  /** Files queued from the folder since watching started. */
  queued: number;
  /** The last transcript written next to its file. */
  lastExport?: string;
}

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
    /**
     * Up to `limit` rows of History from `offset` (History reads only the rows in view). `checked`: wait for the list
     * checked against the folder rather than answer the one last saved while the app opens.
     */
    page(offset: number, limit: number, checked?: boolean): Promise<Result<TranscriptPage>>;
    /** Which of these transcripts are still in History (the queue's "open" links). */
    existing(ids: string[]): Promise<Result<string[]>>;
    get(id: string): Promise<Result<Transcript>>;
    updateSegments(id: string, segments: Segment[]): Promise<Result<Transcript>>;
    rename(id: string, title: string): Promise<Result<TranscriptSummary>>;
    remove(id: string): Promise<Result<void>>;
    restore(id: string): Promise<Result<TranscriptSummary>>;
    /** Transcripts in the trash, most recently deleted first. */
    listTrash(): Promise<Result<TrashedTranscript[]>>;
    /** Deletes a transcript in the trash for good (only trash can be). */
    deleteForever(id: string): Promise<Result<void>>;
    search(query: string): Promise<Result<SearchHit[]>>;
    export(
      id: string,
      format: ExportFormat,
    ): Promise<Result<{ fileName: string; mime: string; data: string; encoding: 'utf8' | 'base64' }>>;
    /** URL the renderer's <audio>/<video> element can play (custom protocol in Electron). */
    mediaUrl(id: string): Promise<Result<string | null>>;
    /**
     * Shows the transcript in the file manager: its newest export when the app wrote one (auto-export, Export all),
     * else its file in the data folder. Returns the path shown.
     */
    reveal(id: string): Promise<Result<string>>;
  };
  /** "Export all": many transcripts written into one folder that the user picks in the native dialog. */
  exports: {
    /** Asks for the folder; null when the user cancels. The batch id names that folder in `write`. */
    chooseFolder(): Promise<Result<ExportBatch | null>>;
    /** Writes one transcript into the batch's folder (never over a file); returns the path written. */
    write(batch: string, transcriptId: string, format: ExportFormat): Promise<Result<string>>;
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
    /**
     * One frame of 16-bit little-endian mono PCM at 16 kHz. Posted on the recording's own port straight to the live
     * engine, not through the main process: no answer; a frame the engine refuses stops the recording (an `error`
     * event).
     */
    audio(id: string, pcm: ArrayBuffer): void;
    /** The next piece of the compressed recording (MediaRecorder's Opus/WebM), base64. */
    media(id: string, chunk: string): Promise<Result<void>>;
    /** Decides the text said so far (the user paused). */
    pause(id: string): Promise<Result<void>>;
    /**
     * Stops and saves the recording as a history item (`device-lost` marks it interrupted); null when nothing was
     * recorded (the microphone never opened), and then nothing is kept.
     */
    stop(id: string, reason?: 'user' | 'device-lost'): Promise<Result<TranscriptSummary | null>>;
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
    /**
     * Shows a file in the OS file manager. Only files in the data folder or exported by the app are shown (the core
     * checks; INVALID_PARAMETER otherwise).
     */
    reveal(path: string): Promise<Result<void>>;
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
