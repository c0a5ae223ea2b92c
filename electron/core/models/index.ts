/**
 * ModelManager: the one service behind `earshot models ...`, the desktop Settings and model resolution for
 * `transcribe`/`serve`. Models live in `<data home>/models/<id>/` (or `modelsDir`); the bundled demo model lives in
 * bundledModelsDir(). The user's default is persisted atomically in `<models>/registry.json`.
 */
import { existsSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ModelDownloadProgress, ModelView } from './views.ts';
import { recoverDataFile } from '../data-notices.ts';
import { EarshotError, isEarshotError, toApiError } from '../errors.ts';
import { readJson, writeJsonAtomic } from '../fs-atomic.ts';
import { familyOfFolder, speechFamily } from '../asr/families.ts';
import { type LoadModelOptions, loadSpeechModel } from '../asr/load-model.ts';
import type { SpeechModel } from '../asr/types.ts';
import { diarizationFamilyOf, isDiarizationFamily } from '../diarize/models/folder.ts';
import { bundledModelsDir, dataPaths } from '../paths.ts';
import {
  type Catalog,
  type CatalogEntry,
  type DownloadableCatalogEntry,
  isBundled,
  isWhisperEntry,
  languagesOf,
  loadCatalog,
  variantFiles,
  variantSize,
} from './catalog.ts';
import {
  checkRemoteFiles,
  type DownloadOptions,
  downloadFiles,
  hfEndpoint,
  type TransferProgress,
} from './download.ts';
import { acquireLock } from './lock.ts';
import { type InstalledMeta, installModel, listFiles, readInstalledMeta, removeModelFolder } from './install.ts';
import {
  type Calibration,
  calibrate,
  detectDevices,
  type Recommendation,
  recommendModel,
  scaleEncoderTime,
} from './recommend.ts';
import {
  type CheckedFamily,
  isCheckedFamily,
  isSpeechFamily,
  type ModelFamily,
  validateModelFolder,
  type WordTiming,
} from './validate.ts';
import { planVariant } from './variant-plan.ts';

export type { Catalog, CatalogEntry } from './catalog.ts';
export { calibrate, recommendModel } from './recommend.ts';
export { validateModelFolder } from './validate.ts';

export interface ModelManagerOptions {
  /** Where downloaded and imported models live (default dataPaths().models). */
  modelsDir?: string;
  /** Where bundled models live (default bundledModelsDir()). */
  bundledDir?: string;
  /** A parsed catalog or the path of one (default models/catalog.json of the app). */
  catalog?: Catalog | string;
  /** Mirror base URL (default HF_ENDPOINT or https://huggingface.co). */
  endpoint?: string;
  /** Tuning for downloads (retries, backoff, stall timeout, free-space probe, dispatcher). */
  download?: Partial<
    Pick<DownloadOptions, 'retries' | 'backoffMs' | 'stallTimeoutMs' | 'freeSpace' | 'reserveBytes' | 'dispatcher'>
  >;
  /** Hugging Face token for gated repositories (default HF_TOKEN). */
  token?: string;
}

/** Everything the manager knows about one model: catalog facts plus where it is installed. */
export interface ModelInfo {
  id: string;
  name: string;
  /** 'whisper' or 'ctc' for speech models; other catalog families (installed as files) keep their own name. */
  family: string;
  bundled: boolean;
  installed: boolean;
  isDefault: boolean;
  /** Folder when installed (or bundled and present). */
  dir?: string;
  languages: string[];
  description?: string;
  notice?: string;
  licence?: string;
  /** Installed weight variants (Whisper) . */
  variants: string[];
  /** Catalog variants available to download. */
  availableVariants: string[];
  /** Bytes on disk when installed, else the catalog's default-variant estimate. */
  sizeBytes?: number;
  sizeEstimated?: boolean;
  origin: 'bundled' | 'catalog' | 'import';
  accuracy?: { metric: string; value: number; source: string; note?: string }[];
  /** Whisper: 'aligned' word times (cross-attention alignment) or 'approximate' (proportional); unknown if absent. */
  wordTiming?: WordTiming;
}

export interface PullOptions {
  /** A variant name, or 'auto' (the default): the catalog's default, else the next variant complete on the server. */
  variant?: string;
  signal?: AbortSignal;
  onProgress?: (p: ModelDownloadProgress & { file?: string }) => void;
}

export interface ResolvedModel {
  id: string;
  dir: string;
  family: ModelFamily;
}

export interface RecommendReport {
  machine: { memoryBytes: number; cpuCores: number; devices: string[]; deviceNote: string };
  recommendation: Recommendation;
  /** Measured on this machine with an installed (or the bundled) model. */
  calibration?: Calibration & { modelId: string; variant?: string };
  /** Encoder seconds per 30 s of audio expected for the recommended model, scaled from the measurement. */
  expectedEncoderSecondsPer30s?: number;
}

interface Registry {
  default?: string;
}

export class ModelManager {
  readonly modelsDir: string;
  readonly bundledDir: string;
  readonly catalog: Catalog;
  private readonly options: ModelManagerOptions;
  private readonly pulls = new Map<string, AbortController>();

  constructor(options: ModelManagerOptions = {}) {
    this.options = options;
    this.modelsDir = options.modelsDir ?? dataPaths().models;
    this.bundledDir = options.bundledDir ?? bundledModelsDir();
    this.catalog = typeof options.catalog === 'object' ? options.catalog : loadCatalog(options.catalog);
  }

  get registryFile(): string {
    return path.join(this.modelsDir, 'registry.json');
  }

  /** Where unfinished downloads are kept for resuming; never listed as models. */
  partialDir(id: string): string {
    return path.join(this.modelsDir, '.partial', id);
  }

  entry(id: string): CatalogEntry | undefined {
    return this.catalog.models.find((m) => m.id === id);
  }

  /** Catalog models (installed or not), then imported models, each with its install state. */
  async list(): Promise<ModelInfo[]> {
    const def = await this.getDefault();
    const out: ModelInfo[] = [];
    for (const entry of this.catalog.models) out.push(await this.describeCatalogEntry(entry, def));
    for (const id of await this.installedIds()) {
      if (out.some((m) => m.id === id)) continue;
      const dir = path.join(this.modelsDir, id);
      const meta = await readInstalledMeta(dir);
      if (!meta) continue;
      out.push({
        id,
        name: meta.name,
        family: meta.family,
        bundled: false,
        installed: true,
        isDefault: def === id,
        dir,
        languages: meta.languages ?? [],
        variants: meta.variants,
        availableVariants: [],
        sizeBytes: await folderBytes(dir),
        origin: 'import',
        wordTiming: meta.wordTiming,
      });
    }
    return out;
  }

  /** The renderer's view (electron/contract/api.ts ModelView): the speech models and the diarization models. */
  async views(): Promise<ModelView[]> {
    const known = (await this.list()).filter((m): m is ModelInfo & { family: CheckedFamily } =>
      isCheckedFamily(m.family),
    );
    return known.map((m) => ({
      id: m.id,
      name: m.name,
      family: m.family,
      transcribes: isSpeechFamily(m.family),
      wordTiming: m.wordTiming,
      installed: m.installed,
      isDefault: m.isDefault,
      bundled: m.bundled,
      sizeBytes: m.sizeBytes,
      languages: m.languages,
      description: m.description,
      notice: m.notice,
    }));
  }

  /**
   * Downloads a catalog model's variant into the partial area (resuming what is there), verifies each file, then
   * installs the folder atomically. Progress goes to `onProgress` in the contract's shape.
   */
  async pull(id: string, options: PullOptions = {}): Promise<ModelInfo> {
    const entry = this.entry(id);
    if (!entry) throw new EarshotError('MODEL_NOT_FOUND', `Unknown model '${id}' (see 'earshot models list')`);
    if (isBundled(entry)) throw new EarshotError('INVALID_PARAMETER', `${id} is bundled with Earshot; nothing to pull`);
    const installedDir = path.join(this.modelsDir, id);
    const have = (f: { path: string }) => existsSync(path.join(installedDir, f.path));
    const named = options.variant === undefined || options.variant === 'auto' ? undefined : options.variant;
    const installedMeta = await readInstalledMeta(installedDir);
    const already = named ?? entry.defaultVariant;
    if (installedMeta?.variants.includes(already) && variantFiles(entry, already).every(have)) {
      options.onProgress?.({ modelId: id, receivedBytes: 0, totalBytes: 0, bytesPerSecond: 0, state: 'installed' });
      return this.describeCatalogEntry(entry, await this.getDefault());
    }
    if (this.pulls.has(id)) throw new EarshotError('INVALID_PARAMETER', `Downloading ${id} is already in progress`);
    const unlock = await acquireLock(path.join(this.modelsDir, '.partial', `${id}.pull`), `Downloading ${id}`);
    const controller = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    this.pulls.set(id, controller);
    let last: Partial<ModelDownloadProgress> = {};
    const report = (p: Partial<ModelDownloadProgress> & Pick<ModelDownloadProgress, 'state'>, file?: string) =>
      options.onProgress?.({
        modelId: id,
        receivedBytes: 0,
        totalBytes: 0,
        bytesPerSecond: 0,
        ...last,
        ...p,
        file,
      });
    try {
      const endpoint = this.options.endpoint ?? hfEndpoint();
      const token = this.options.token ?? process.env.HF_TOKEN;
      const remote = { repo: entry.source.repo, revision: entry.source.revision, endpoint, token, signal };
      // Every file is asked for before any byte moves: a missing file or a foreign hash is reported at once.
      const plan = await planVariant(
        entry,
        options.variant,
        (files) => checkRemoteFiles({ ...remote, files, dispatcher: this.options.download?.dispatcher }),
        have,
      );
      last = { variant: plan.variant, notice: plan.notice };
      if (plan.notice) report({ state: 'downloading' });
      const partial = this.partialDir(id);
      const downloaded = await downloadFiles({
        ...this.options.download,
        ...remote,
        files: plan.files,
        partialDir: partial,
        onProgress: (p: TransferProgress) => {
          last = {
            ...last,
            receivedBytes: p.receivedBytes,
            totalBytes: p.totalBytes,
            bytesPerSecond: p.bytesPerSecond,
            etaSeconds: p.etaSeconds,
          };
          report({ state: 'downloading' }, p.file);
        },
      });
      report({ state: 'verifying' });
      await installModel(
        this.modelsDir,
        id,
        plan.files.map((f) => ({ rel: f.path, from: path.join(partial, f.path) })),
        {
          id,
          name: entry.name,
          origin: 'catalog',
          repo: entry.source.repo,
          revision: entry.source.revision,
          installedAt: new Date().toISOString(),
          verification: Object.fromEntries(downloaded.map((d) => [d.path, d.verifiedBy])),
        },
        {
          move: true,
          checkVariants: [plan.variant],
          signal,
          // Speech and diarization models are validated as folders; other families are installed as verified files.
          asFamily: isCheckedFamily(entry.family) ? undefined : { family: entry.family, variant: plan.variant },
        },
      );
      await fs.rm(partial, { recursive: true, force: true });
      report({ state: 'installed', receivedBytes: last.totalBytes, etaSeconds: 0 });
      return this.describeCatalogEntry(entry, await this.getDefault());
    } catch (e) {
      const error = toEarshotError(e);
      // A file that failed verification or validation is worthless; a network failure keeps its bytes for resuming.
      if (error.code === 'MODEL_INVALID') await fs.rm(this.partialDir(id), { recursive: true, force: true });
      report({ state: error.code === 'CANCELLED' ? 'cancelled' : 'failed', error: toApiError(error) });
      throw error;
    } finally {
      this.pulls.delete(id);
      await unlock();
    }
  }

  /** Cancels a running pull of `id` (the partial files stay for a later resume). */
  cancelPull(id: string): boolean {
    const c = this.pulls.get(id);
    c?.abort();
    return c !== undefined;
  }

  /**
   * Imports a local folder in the Whisper ONNX or CTC layout: validates it in place (exact problems listed), then
   * copies it atomically to `<models>/<id>` (id: the folder name, unless given).
   */
  async import(dir: string, options: { id?: string; signal?: AbortSignal } = {}): Promise<ModelInfo> {
    const source = path.resolve(dir);
    const check = await validateModelFolder(source);
    if (!check.ok) {
      throw new EarshotError('MODEL_INVALID', `${source} cannot be imported:\n- ${check.problems.join('\n- ')}`, {
        problems: check.problems,
      });
    }
    const id = options.id ?? slug(path.basename(source));
    const existing = this.entry(id);
    if (existing && isBundled(existing)) throw new EarshotError('INVALID_PARAMETER', `'${id}' is a bundled model's id`);
    const files = (await listFiles(source)).filter((rel) => !rel.startsWith('.'));
    const name = existing?.name ?? (await importedName(source, id));
    const languages = await importedLanguages(source, this.catalog);
    await installModel(
      this.modelsDir,
      id,
      files.map((rel) => ({ rel, from: path.join(source, rel) })),
      {
        id,
        name,
        origin: 'import',
        importedFrom: source,
        languages,
        wordTiming: check.wordTiming,
        installedAt: new Date().toISOString(),
      },
      // Already opened with onnxruntime above; re-check only that the copy is complete.
      { move: false, checkOnnx: false, signal: options.signal },
    );
    const info = (await this.list()).find((m) => m.id === id);
    if (!info) throw new EarshotError('INTERNAL_ERROR', `${id} was installed but is not listed`);
    return info;
  }

  async remove(id: string): Promise<void> {
    const entry = this.entry(id);
    if (entry && isBundled(entry))
      throw new EarshotError('INVALID_PARAMETER', `${id} is bundled and cannot be removed`);
    const dir = path.join(this.modelsDir, safeId(id));
    const installed = existsSync(dir);
    await fs.rm(this.partialDir(safeId(id)), { recursive: true, force: true });
    if (!installed) throw new EarshotError('MODEL_NOT_FOUND', `Model '${id}' is not installed`);
    await removeModelFolder(dir);
    if ((await this.getDefault()) === id)
      await this.writeRegistry({ ...(await this.readRegistry()), default: undefined });
  }

  async getDefault(): Promise<string | undefined> {
    return (await this.readRegistry()).default;
  }

  async setDefault(id: string): Promise<void> {
    const info = (await this.list()).find((m) => m.id === id);
    if (!info?.installed) {
      throw new EarshotError('MODEL_NOT_FOUND', `Model '${id}' is not installed; pull or import it first`);
    }
    refuseNonSpeech(id, info.family);
    await this.writeRegistry({ ...(await this.readRegistry()), default: id });
  }

  /**
   * The model to run: a folder path or an installed/bundled id when given; otherwise the user's default, else the
   * first installed model, else the bundled demo model.
   */
  async resolveModel(idOrPath?: string): Promise<ResolvedModel> {
    if (idOrPath) return this.resolveExplicit(idOrPath);
    const models = (await this.list()).filter((m) => m.installed && m.dir && isSpeechFamily(m.family));
    const pick =
      models.find((m) => m.isDefault) ??
      models.find((m) => !m.bundled) ??
      models.find((m) => m.bundled && m.id === 'demo-en') ??
      models[0];
    if (!pick?.dir) {
      throw new EarshotError(
        'MODEL_NOT_FOUND',
        `No model installed and the bundled demo model is missing from ${this.bundledDir}; run 'earshot models pull whisper-base.en'`,
      );
    }
    return { id: pick.id, dir: pick.dir, family: pick.family as ModelFamily };
  }

  /**
   * Recommends a model from this machine's memory and the devices that really load, and measures the encoder of an
   * installed model (the recommended one when installed, else the one `resolveModel()` picks) for `seconds`.
   */
  async recommend(
    options: { seconds?: number; englishOnly?: boolean; calibrate?: boolean; signal?: AbortSignal } = {},
  ): Promise<RecommendReport> {
    const models = (await this.list()).filter((m) => m.installed && m.dir && isSpeechFamily(m.family));
    const resolved = await this.resolveModel().catch(() => undefined);
    const probeTarget = resolved ? models.find((m) => m.id === resolved.id) : models[0];
    const probeFile = probeTarget ? calibrationFile(probeTarget) : undefined;
    const detected = probeFile
      ? await detectDevices(probeFile.path)
      : { devices: ['cpu' as const], note: 'no installed model to probe GPU providers with' };
    const machine = {
      memoryBytes: os.totalmem(),
      cpuCores: os.availableParallelism(),
      devices: detected.devices,
      deviceNote: detected.note,
    };
    const recommendation = recommendModel({ ...machine, englishOnly: options.englishOnly }, this.catalog);
    const report: RecommendReport = { machine, recommendation };
    if (options.calibrate === false) return report;
    const measured = models.find((m) => m.id === recommendation.id) ?? probeTarget;
    const file = measured ? calibrationFile(measured, recommendation.variant) : undefined;
    if (!measured?.dir || !file) return report;
    const cal = await calibrate(measured.dir, measured.family as ModelFamily, {
      variant: file.variant,
      seconds: options.seconds,
      signal: options.signal,
    });
    report.calibration = { ...cal, modelId: measured.id, variant: file.variant };
    report.expectedEncoderSecondsPer30s =
      measured.id === recommendation.id
        ? cal.msPerRun / 1000
        : scaleEncoderTime(this.catalog, measured.id, cal, recommendation.id);
    return report;
  }

  /**
   * An installed model by id only, never a folder path: what the desktop runs for a job's `modelId` (a bare id that
   * happened to name a folder in the working directory used to run that folder).
   */

  /** Resolves `idOrPath` (as resolveModel) and loads it: the one "which model, then open it" for every face. */
  async load(
    idOrPath: string | undefined,
    options: LoadModelOptions = {},
  ): Promise<{ id: string; model: SpeechModel }> {
    const resolved = await this.resolveModel(idOrPath);
    return { id: resolved.id, model: await loadSpeechModel(resolved.dir, options) };
  }

  async resolveModelId(id: string): Promise<ResolvedModel> {
    if (!MODEL_ID_RE.test(id)) throw new EarshotError('MODEL_NOT_FOUND', `Unknown model '${id}'`);
    return this.resolveInstalled(id);
  }

  private async resolveExplicit(idOrPath: string): Promise<ResolvedModel> {
    const looksLikePath = idOrPath.includes('/') || idOrPath.includes(path.sep) || idOrPath.startsWith('.');
    if (looksLikePath || (existsSync(idOrPath) && statSync(idOrPath).isDirectory())) {
      const dir = path.resolve(idOrPath);
      const check = await validateModelFolder(dir, { checkOnnx: false });
      if (!check.family || !check.ok) {
        const why = check.problems.join('; ');
        throw new EarshotError(existsSync(dir) ? 'MODEL_INVALID' : 'MODEL_NOT_FOUND', `${dir}: ${why}`);
      }
      refuseNonSpeech(dir, check.family);
      return { id: path.basename(dir), dir, family: check.family as ModelFamily };
    }
    return this.resolveInstalled(idOrPath);
  }

  private async resolveInstalled(idOrPath: string): Promise<ResolvedModel> {
    const info = (await this.list()).find((m) => m.id === idOrPath);
    if (info) refuseNonSpeech(idOrPath, info.family);
    if (info?.installed && info.dir) return { id: info.id, dir: info.dir, family: info.family as ModelFamily };
    if (info) {
      throw new EarshotError(
        'MODEL_NOT_FOUND',
        `Model '${idOrPath}' is not installed; run 'earshot models pull ${idOrPath}'`,
      );
    }
    throw new EarshotError('MODEL_NOT_FOUND', `Unknown model '${idOrPath}' (see 'earshot models list')`);
  }

  private async describeCatalogEntry(entry: CatalogEntry, def: string | undefined): Promise<ModelInfo> {
    const base = {
      id: entry.id,
      name: entry.name,
      languages: languagesOf(this.catalog, entry),
      description: entry.description,
      notice: entry.notice,
      licence: entry.licence,
      isDefault: def === entry.id,
      accuracy: entry.accuracy,
    };
    if (isBundled(entry)) {
      const dir = path.join(this.bundledDir, path.basename(entry.path));
      const present = existsSync(path.join(dir, 'model.json')) || existsSync(path.join(dir, 'config.json'));
      return {
        ...base,
        family: entry.family,
        bundled: true,
        installed: present,
        dir: present ? dir : undefined,
        variants: present ? ['fp32'] : [],
        availableVariants: [],
        sizeBytes: present ? await folderBytes(dir) : undefined,
        origin: 'bundled',
      };
    }
    const dir = path.join(this.modelsDir, entry.id);
    const meta = existsSync(dir) ? await readInstalledMeta(dir) : undefined;
    const estimate = variantSize(entry as DownloadableCatalogEntry, entry.defaultVariant);
    return {
      ...base,
      family: entry.family,
      wordTiming: meta?.wordTiming ?? (isWhisperEntry(entry) ? entry.wordTiming : undefined),
      bundled: false,
      installed: meta !== undefined,
      dir: meta ? dir : undefined,
      variants: meta?.variants ?? [],
      availableVariants: Object.keys(entry.variants),
      sizeBytes: meta ? await folderBytes(dir) : estimate.bytes,
      sizeEstimated: meta ? false : estimate.estimated,
      origin: meta?.origin ?? 'catalog',
    };
  }

  /** Folders under the models dir that hold an Earshot install record (dot-folders are work areas). */
  private async installedIds(): Promise<string[]> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(this.modelsDir, { withFileTypes: true });
    } catch {
      return [];
    }
    return entries
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  }

  /** A damaged or newer-format registry is set aside with a notice: only the default choice is lost, and setDefault works. */
  private async readRegistry(): Promise<Registry> {
    let raw: unknown;
    try {
      raw = await readJson<unknown>(this.registryFile, {});
    } catch (e) {
      if (!(e instanceof SyntaxError)) throw e;
      raw = undefined;
    }
    const ok = raw && typeof raw === 'object' && !Array.isArray(raw);
    const version = ok ? (raw as { version?: unknown }).version : undefined;
    if (typeof version === 'number' && version > 1) {
      recoverDataFile(this.registryFile, 'The default model choice', 'newer-version', 'was reset');
      return {};
    }
    const def = ok ? (raw as Registry).default : undefined;
    if (!ok || (def !== undefined && (typeof def !== 'string' || !MODEL_ID_RE.test(def)))) {
      recoverDataFile(this.registryFile, 'The default model choice', 'damaged', 'was reset');
      return {};
    }
    return def === undefined ? {} : { default: def };
  }

  private async writeRegistry(r: Registry): Promise<void> {
    await writeJsonAtomic(this.registryFile, r);
  }
}

/**
 * Only speech models transcribe: a diarization model labels speakers whenever diarization is on, and a catalog entry
 * of another family is a set of files for whatever engine runs it.
 */
function refuseNonSpeech(what: string, family: string): void {
  if (isSpeechFamily(family)) return;
  throw new EarshotError(
    'INVALID_PARAMETER',
    isDiarizationFamily(family)
      ? `${what} is a diarization model (${family}), not a transcription model; diarization models are used by --diarize`
      : `'${what}' is a ${family} model, not a speech model`,
  );
}

export function toEarshotError(e: unknown): EarshotError {
  if (isEarshotError(e)) return e;
  return new EarshotError('INTERNAL_ERROR', e instanceof Error ? e.message : String(e), {}, { cause: e });
}

/** The ONNX file calibration runs: the family's probe file (a Whisper encoder, preferred variant if installed). */
function calibrationFile(m: ModelInfo, prefer?: string): { path: string; variant?: string } | undefined {
  const probe = m.dir ? speechFamily(m.family)?.probeFile(m.variants, prefer) : undefined;
  return m.dir && probe ? { path: path.join(m.dir, probe.file), variant: probe.variant } : undefined;
}

/** A folder name turned into a model id: lower case, [a-z0-9._-]. */
function slug(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '');
  return s || 'imported-model';
}

/** A model id: one folder name under the models folder, never a path. */
const MODEL_ID_RE = /^[a-z0-9][a-z0-9._-]*$/i;

function safeId(id: string): string {
  if (!MODEL_ID_RE.test(id)) throw new EarshotError('INVALID_PARAMETER', `Invalid model id '${id}'`);
  return id;
}

async function importedName(dir: string, id: string): Promise<string> {
  const meta = await readJson<{ name?: unknown } | undefined>(path.join(dir, 'model.json'), undefined).catch(
    () => undefined,
  );
  return typeof meta?.name === 'string' ? meta.name : id;
}

/** The language list of an imported folder, as its family reads it (none for diarization models). */
async function importedLanguages(dir: string, catalog: Catalog): Promise<string[]> {
  if (diarizationFamilyOf(dir)) return [];
  return familyOfFolder(dir)?.family.importedLanguages(dir, catalog.languageSets) ?? [];
}

async function folderBytes(dir: string): Promise<number> {
  let sum = 0;
  for (const rel of await listFiles(dir).catch(() => [] as string[])) {
    sum += (await fs.stat(path.join(dir, rel))).size;
  }
  return sum;
}

export type { InstalledMeta };
