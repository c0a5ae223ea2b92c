/**
 * The composition root: builds every service the desktop app needs from one config. Electron's main process calls
 * it with safeStorage and electron-store; the end-to-end tests call it with a file-backed secret store and a JSON
 * settings file in a temporary EARSHOT_HOME. Nothing else constructs services, so both faces behave the same.
 */
import { chooseDiarizationModels } from './diarize/models/resolve.ts';
import path from 'node:path';
import type { ModelDownloadProgress } from '../contract/api.ts';
import { createDispatcher, type Dispatch } from '../contract/dispatch.ts';
import { createDesktopHandlers, type DesktopServices, defaultJobSettings } from './desktop/handlers.ts';
import { AutoExport } from './desktop/auto-export.ts';
import { ExportedFiles } from './desktop/exported-files.ts';
import { type TaskbarProgress, watchQueueProgress } from './desktop/taskbar-progress.ts';
import { EarshotError } from './errors.ts';
import { WatchFolder } from './desktop/watch-folder.ts';
import { DesktopApiServer } from './desktop/api-server.ts';
import { createDesktopLicense } from './desktop/license.ts';
import { createManagedModels } from './desktop/models.ts';
import { JobQueue } from './jobs/queue.ts';
import type { TranscriptionPipeline } from './jobs/types.ts';
import { WorkerPipeline } from './jobs/worker-pipeline.ts';
import { TranscriptLibrary } from './library/library.ts';
import { createLiveHandlers } from './live/live-handlers.ts';
import type { SpawnLiveEngine } from './live/live-protocol.ts';
import { threadLiveEngine } from './live/live-thread.ts';
import { LiveWorkerClient } from './live/live-worker-client.ts';
import { LiveRecordings, type LiveRecordingsOptions } from './live/recordings.ts';
import type { ModelManager, ModelManagerOptions } from './models/index.ts';
import type { LicenseService, LicenseServiceOptions, SecretStore } from './license/index.ts';
import { createEngine } from './engine.ts';
import { sweepStaleTempFiles } from './fs-atomic.ts';
import { dataPaths } from './paths.ts';
import type { StoredTranscript } from './library/library.ts';
import { jsonFileBackend, SettingsService, type SettingsBackend } from './settings/store.ts';

export interface DesktopConfig {
  /** The data folder (EARSHOT_HOME or the per-user folder). */
  home: string;
  secretStore: SecretStore;
  /** electron-store in the app; the JSON file in tests, the CLI and the server. */
  settingsBackend?: SettingsBackend;
  /** Defaults to the worker-thread pipeline. */
  pipeline?: TranscriptionPipeline;
  bundledModelsDir?: string;
  license?: Omit<LicenseServiceOptions, 'dataDir'>;
  /** Where downloaded models live (default: the data folder's models/). */
  modelsDir?: string;
  /** Model catalog path or object (default: the app's models/catalog.json). */
  catalog?: ModelManagerOptions['catalog'];
  /** Model download mirror (default HF_ENDPOINT or huggingface.co). */
  modelEndpoint?: string;
  appVersion?: string;
  mediaUrl?(transcript: StoredTranscript): string | null;
  pickFiles?(): Promise<string[]>;
  copyText?(text: string): Promise<void>;
  /** The native folder picker ("Export all"); undefined when cancelled. */
  pickFolder?(): Promise<string | undefined>;
  /** Shows a checked file in the OS file manager (shell.showItemInFolder in the app). */
  revealInFolder?(file: string): Promise<void>;
  /** How often the watch folder is scanned (default 3 s; tests use less). */
  watchPollMs?: number;
  /** Start the built-in API server when the settings say so (the desktop app; off in tests unless asked). */
  manageApiServer?: boolean;
  /** Where a recording's audio goes (default: media/<id>.webm). */
  recordingPathFor?: LiveRecordingsOptions['mediaPathFor'];
  /**
   * Where live transcription runs and how each recording's frames port reaches the window: the app passes an
   * Electron utility process (electron/main/live-engine.ts); the default is a worker thread whose frames ports go
   * nowhere (tests pass `threadLiveEngine(deliver)` to play the window).
   */
  liveEngine?: SpawnLiveEngine;
}

export interface Desktop extends DesktopServices {
  apiServer: DesktopApiServer;
  modelManager: ModelManager;
  licenses: LicenseService;
  /** Microphone recordings with live text. */
  live: LiveRecordings;
  dispatch: Dispatch;
  /** Model download progress, for the window. */
  onModelProgress(listener: (p: ModelDownloadProgress) => void): () => void;
  /** The queue's overall progress for the taskbar / dock (BrowserWindow.setProgressBar's value and mode). */
  onTaskbarProgress(listener: (p: TaskbarProgress) => void): () => void;
  dispose(): Promise<void>;
}

export async function createDesktop(config: DesktopConfig): Promise<Desktop> {
  const paths = dataPaths(config.home);
  // Leftovers of atomic writes a crash interrupted.
  for (const dir of [
    config.home,
    paths.jobs,
    paths.license,
    config.modelsDir ?? paths.models,
    paths.transcripts,
    path.join(paths.transcripts, '.trash'),
  ]) {
    await sweepStaleTempFiles(dir);
  }
  const settings = new SettingsService(config.settingsBackend ?? jsonFileBackend(paths.settings));
  const mediaDir = path.join(config.home, 'media');
  const library = new TranscriptLibrary(paths.transcripts, mediaDir);
  // The shared engine (licenses, models); the desktop adds its queue, library and settings, and its API server runs
  // on the same engine (same licenses, quota and model manager).
  const engine = createEngine({ ...config, home: config.home });
  const { licenses, models: manager } = engine;
  const pipeline = config.pipeline ?? new WorkerPipeline();
  // The built-in API server runs on the same engine and, with the worker pipeline, on the desktop's loaded model.
  const modelHost = pipeline instanceof WorkerPipeline ? pipeline : undefined;
  const apiServer = new DesktopApiServer(engine, config.secretStore, config.appVersion ?? '0.0.0', modelHost);

  // A stored key that is removed or replaced reaches the running API server at once (not at the next settings change).
  const license = createDesktopLicense(licenses, config.secretStore, async () => {
    if (config.manageApiServer) await apiServer.apply(settings.get());
  });
  const models = createManagedModels(manager);
  const jobs = new JobQueue(paths.jobs, {
    pipeline,
    mediaDir,
    resolveModel: (id) => models.resolve(id),
    resolveDiarization: async (choice) => chooseDiarizationModels(choice, await manager.list()),
    authorize: () => license.startJob(),
    transcriptExists: (id) => library.has(id),
    async saveTranscript(job, { result, mediaPath }, transcriptId) {
      const t = await library.create(
        {
          title: job.source.name.replace(/\.[A-Za-z0-9]{1,5}$/, '') || 'Untitled',
          duration: result.duration,
          language: result.language,
          model: result.model || job.model || '',
          mediaPath,
          device: result.device,
          segments: result.segments,
          ...(result.diarization ? { diarization: result.diarization } : {}),
        },
        transcriptId,
      );
      return t.id;
    },
  });

  if (config.manageApiServer) {
    void apiServer.apply(settings.get());
    settings.onChange((next) => void apiServer.apply(next));
  }

  const progressListeners = new Set<(p: ModelDownloadProgress) => void>();
  const watch = new WatchFolder({
    settings,
    jobs,
    library,
    authorize: () => license.authorize(),
    jobSettings: () => defaultJobSettings(settings.get()),
    stateFile: path.join(config.home, 'watch.json'),
    pollMs: config.watchPollMs,
  });
  const exported = new ExportedFiles(config.home);
  const autoExport = new AutoExport(settings, jobs, library, exported);
  autoExport.start();
  const services: DesktopServices = { settings, library, jobs, license, models, watch, exported };
  const handlers = createDesktopHandlers(services, {
    appVersion: config.appVersion ?? '0.0.0',
    dataHome: config.home,
    mediaUrl: config.mediaUrl ?? (() => null),
    pickFiles: config.pickFiles ?? (async () => []),
    copyText: config.copyText ?? (async () => {}),
    pickFolder: config.pickFolder ?? (async () => undefined),
    revealInFolder:
      config.revealInFolder ??
      (async () => {
        throw new EarshotError('SERVICE_UNAVAILABLE', 'Showing files in a folder needs the desktop app');
      }),
    serverStatus: async () => {
      if (config.manageApiServer) await apiServer.apply(settings.get());
      return apiServer.status();
    },
    onModelProgress: (p) => {
      for (const l of progressListeners) l(p);
    },
  });
  await jobs.start();
  await watch.start();

  const liveWorker = new LiveWorkerClient(config.liveEngine ?? threadLiveEngine());
  const live = new LiveRecordings({
    home: config.home,
    mediaDir,
    library,
    worker: liveWorker,
    authorize: () => license.authorize(),
    recordAudio: (seconds) => license.recordAudio(seconds),
    mediaPathFor: config.recordingPathFor,
  });
  // A recording a crash or quit cut short is kept as an interrupted history item.
  await live.recoverInterrupted();

  return {
    ...services,
    modelManager: manager,
    apiServer,
    licenses,
    live,
    dispatch: createDispatcher({ ...handlers, ...createLiveHandlers(services, live) }),
    onModelProgress(listener) {
      progressListeners.add(listener);
      return () => progressListeners.delete(listener);
    },
    onTaskbarProgress: (listener) => watchQueueProgress(jobs, listener),
    async dispose() {
      await apiServer.close();
      await watch.stop();
      await autoExport.stop();
      await live.dispose();
      await liveWorker.dispose();
      await jobs.stop();
      await pipeline.dispose();
      await licenses.flush();
      await library.close();
    },
  };
}
