/**
 * The contract's server side: one handler per invoke channel, built on the core services. Electron's main process
 * registers these behind ipcMain (with validation, electron/contract/dispatch.ts); the end-to-end tests bind the very
 * same handlers into Chromium. Platform-only pieces (file picker, clipboard, media URLs) come in as hooks.
 */
import os from 'node:os';
import path from 'node:path';
import type {
  LicenseStatus,
  ModelDownloadProgress,
  ModelRecommendation,
  ModelView,
  ServerStatus,
  SystemInfo,
  Transcript,
  TranscriptSummary,
  WatchStatus,
} from '../../contract/api.ts';
import type { ApiHandlers } from '../../contract/dispatch.ts';
import { defaultThreads } from '../onnx/device.ts';
import { dataNotices, dismissDataNotice } from '../data-notices.ts';
import { exportTranscript } from '../export/index.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { expandMediaPaths, urlSource } from '../jobs/sources.ts';
import type { JobSettingsRecord, UsageMeter } from '../jobs/types.ts';
import type { StoredTranscript, TranscriptLibrary } from '../library/library.ts';
import { dataPaths } from '../paths.ts';
import type { SettingsService } from '../settings/store.ts';
import { safeFileName } from './export-files.ts';
import { type ExportedFiles, writeExport } from './exported-files.ts';
import { type GpuProbe, probeGpus } from './gpu-probe.ts';

/** What the desktop needs from the license module. */
export interface DesktopLicense {
  status(): Promise<LicenseStatus>;
  /** Verifies and stores a pasted key; an invalid key is not stored and comes back with its exact reason. */
  set(key: string): Promise<LicenseStatus>;
  remove(): Promise<LicenseStatus>;
  /** Throws the license's error (INVALID_LICENSE with no key, LICENSE_EXPIRED with expires_at...) when work is refused. */
  authorize(): Promise<void>;
  /** Admits one job: as `authorize`, and returns the meter its audio is charged to as it is transcribed. */
  startJob(): Promise<UsageMeter>;
  /** Charges audio already heard (live recordings); throws QUOTA_EXCEEDED once the quota is used up. */
  recordAudio(seconds: number): Promise<void>;
}

/** What the desktop needs from the model manager. */
export interface DesktopModels {
  list(): Promise<ModelView[]>;
  pull(id: string, variant: string | undefined, onProgress: (p: ModelDownloadProgress) => void): Promise<void>;
  cancelPull(id: string): Promise<void>;
  import(dir: string): Promise<ModelView>;
  remove(id: string): Promise<void>;
  setDefault(id: string): Promise<void>;
  /** The user's chosen default model id (none until one is chosen). */
  getDefault(): Promise<string | undefined>;
  /** The model suggested for this machine (no calibration run: it must answer fast). */
  recommend(englishOnly: boolean): Promise<ModelRecommendation>;
  /** The folder that runs a job: the requested model, else the default, else the bundled demo model. */
  resolve(id?: string): Promise<{ id: string; name: string; dir: string }>;
}

export interface DesktopHooks {
  appVersion: string;
  dataHome: string;
  /** A URL the window can play for a transcript's media (custom protocol in Electron, http in tests). */
  mediaUrl(transcript: StoredTranscript): string | null;
  pickFiles(): Promise<string[]>;
  copyText(text: string): Promise<void>;
  serverStatus(): Promise<ServerStatus>;
  onModelProgress(p: ModelDownloadProgress): void;
  /** The native folder picker; undefined when cancelled. */
  pickFolder(): Promise<string | undefined>;
  /** Shows a file in the OS file manager (Electron's shell.showItemInFolder); called only with a checked path. */
  revealInFolder(file: string): Promise<void>;
}

export interface DesktopServices {
  settings: SettingsService;
  library: TranscriptLibrary;
  jobs: JobQueue;
  license: DesktopLicense;
  models: DesktopModels;
  /** The watch folder, when the desktop runs one. */
  watch?: { getStatus(): WatchStatus };
  /** Files the app exported, and what "Reveal in folder" may show. */
  exported: ExportedFiles;
}

function toTranscript(t: StoredTranscript): Transcript {
  const { originalSegments, ...rest } = t;
  return {
    ...rest,
    edited: originalSegments !== undefined,
    ...(originalSegments ? { recognised: originalSegments } : {}),
  };
}

function toSummary(t: StoredTranscript): TranscriptSummary {
  const { segments: _s, originalSegments, device: _d, ...rest } = t;
  return { ...rest, edited: originalSegments !== undefined };
}

/** What a new job runs with when nothing was chosen for it: the settings as they are now. */
export function defaultJobSettings(cfg: ReturnType<SettingsService['get']>): JobSettingsRecord {
  // The model is the manager's default at run time unless the caller names one.
  return {
    language: cfg.language,
    task: cfg.task,
    device: cfg.device,
    threads: cfg.threads,
    vad: cfg.vad,
    diarize: cfg.diarization.enabled,
    diarizeWith: cfg.diarization.method,
  };
}

/** Every channel but the live recording's (live/live-handlers.ts). */
/** The contract's `live:*` channels (implemented in live/live-handlers.ts). */
export type LiveChannel = Extract<keyof ApiHandlers, `live:${string}`>;

export function createDesktopHandlers(s: DesktopServices, hooks: DesktopHooks): Omit<ApiHandlers, LiveChannel> {
  let probe: Promise<GpuProbe[]> | undefined;
  const gpus = () => {
    probe ??= s.models
      .resolve()
      .then((m) => m.dir)
      .catch(() => undefined)
      .then(probeGpus);
    return probe;
  };
  const withDefaultModel = async (cfg: ReturnType<SettingsService['get']>) => {
    const { defaultModelId: _stored, ...rest } = cfg;
    const id = await s.models.getDefault();
    return id ? { ...rest, defaultModelId: id } : rest;
  };
  const jobSettings = (overrides?: JobSettingsRecord): JobSettingsRecord => ({
    ...defaultJobSettings(s.settings.get()),
    ...overrides,
  });

  return {
    'license:status': () => s.license.status(),
    'license:set': (key) => s.license.set(key),
    'license:remove': () => s.license.remove(),

    'jobs:list': async () => s.jobs.list(),
    'jobs:addFiles': async (paths, settings) => {
      await s.license.authorize();
      const { sources, unreadable } = await expandMediaPaths(paths);
      const failed = unreadable.map(({ source, reason }) => ({
        source,
        error: { code: 'INVALID_PARAMETER' as const, message: reason },
      }));
      return s.jobs.add(sources, jobSettings(settings), failed);
    },
    'jobs:addUrl': async (url, settings) => {
      const source = urlSource(url);
      await s.license.authorize();
      const [job] = await s.jobs.add([source], jobSettings(settings));
      return job;
    },
    'jobs:cancel': (id) => s.jobs.cancel(id),
    // Retry runs with the settings as they are now (the user may just have fixed the one that made it fail: GPU only,
    // a language the model lacks); what was chosen for this job alone (model, speakers) stays.
    'jobs:retry': (id) => {
      const { language, task, device, threads, vad } = jobSettings();
      return s.jobs.retry(id, { ...s.jobs.get(id).settings, language, task, device, threads, vad });
    },
    'jobs:remove': (id) => s.jobs.remove(id),
    'jobs:setPaused': async (paused) => s.jobs.setPaused(paused),
    'jobs:isPaused': async () => s.jobs.isPaused(),

    'transcripts:list': async () => (await s.library.list()).map(({ preview, ...t }) => ({ ...t, preview })),
    'transcripts:page': async (offset, limit, checked) => {
      const p = await s.library.page(offset, limit, checked);
      return { ...p, items: p.items.map((t) => ({ ...t })) };
    },
    'transcripts:existing': (ids) => s.library.existing(ids),
    'transcripts:get': async (id) => toTranscript(await s.library.get(id)),
    'transcripts:updateSegments': async (id, segments) => toTranscript(await s.library.updateSegments(id, segments)),
    'transcripts:rename': async (id, title) => toSummary(await s.library.rename(id, title)),
    'transcripts:remove': (id) => s.library.remove(id),
    'transcripts:restore': async (id) => toSummary(await s.library.restore(id)),
    'transcripts:listTrash': () => s.library.listTrash(),
    'transcripts:deleteForever': (id) => s.library.deleteForever(id),
    'transcripts:search': (query) => s.library.search(query),
    'transcripts:export': async (id, format) => {
      const t = await s.library.get(id);
      const out = await exportTranscript(t, format, s.settings.get().subtitles);
      const text = typeof out.data === 'string';
      return {
        fileName: `${safeFileName(t.title)}${format === 'txt-timestamps' ? '.timestamps' : ''}.${out.extension}`,
        mime: out.mime,
        data: text ? (out.data as string) : Buffer.from(out.data as Uint8Array).toString('base64'),
        encoding: text ? 'utf8' : 'base64',
      };
    },
    'transcripts:mediaUrl': async (id) => hooks.mediaUrl(await s.library.get(id)),
    'transcripts:reveal': async (id) => {
      await s.library.get(id); // NOT_FOUND for a deleted one
      const file =
        (await s.exported.lastExportOf(id)) ?? path.join(dataPaths(hooks.dataHome).transcripts, `${id}.json`);
      const shown = await s.exported.revealable(file);
      await hooks.revealInFolder(shown);
      return shown;
    },
    'exports:chooseFolder': async () => {
      const folder = await hooks.pickFolder();
      return folder ? { batch: s.exported.startBatch(folder), folder } : null;
    },
    'exports:write': async (batch, transcriptId, format) => {
      const folder = s.exported.folderOf(batch);
      const t = await s.library.get(transcriptId);
      const file = await writeExport(t, format, s.settings.get().subtitles, folder);
      await s.exported.record(file, transcriptId);
      return file;
    },

    'models:list': () => s.models.list(),
    'models:pull': (id, variant) => s.models.pull(id, variant, hooks.onModelProgress),
    'models:cancelPull': (id) => s.models.cancelPull(id),
    'models:import': (dir) => s.models.import(dir),
    'models:remove': (id) => s.models.remove(id),
    'models:setDefault': (id) => s.models.setDefault(id),
    'models:recommend': () => s.models.recommend(s.settings.get().language === 'en'),

    'watch:status': async () => s.watch?.getStatus() ?? { running: false, queued: 0 },
    'settings:get': async () => withDefaultModel(s.settings.get()),
    'settings:update': async (patch) => {
      const { defaultModelId, ...rest } = patch;
      // One fact, one place: the default model is the model manager's (the CLI and the server read it too), so
      // setting it here checks it is an installed speech model and records it there (MODEL_NOT_FOUND otherwise).
      if (defaultModelId !== undefined) await s.models.setDefault(defaultModelId);
      return withDefaultModel(Object.keys(rest).length ? await s.settings.update(rest) : s.settings.get());
    },
    'server:status': () => hooks.serverStatus(),

    'system:info': async (): Promise<SystemInfo> => {
      const ort = await import('onnxruntime-node');
      const backends = ort.listSupportedBackends?.() ?? [];
      return {
        platform: `${os.platform()} ${os.arch()}`,
        cpus: os.availableParallelism(),
        memoryBytes: os.totalmem(),
        providers: backends.map((b) => b.name),
        appVersion: hooks.appVersion,
        dataHome: hooks.dataHome,
        defaultThreads: defaultThreads(),
        gpu: await gpus(),
      };
    },
    'system:pickFiles': () => hooks.pickFiles(),
    'system:copyText': (text) => hooks.copyText(text),
    'system:reveal': async (file) => hooks.revealInFolder(await s.exported.revealable(file)),
    'system:notices': async () => dataNotices(hooks.dataHome),
    'system:dismissNotice': async (id) => dismissDataNotice(id),
  };
}
