/**
 * The one composition root of the engine: the license service, the model manager and model loading for one data
 * folder, built once per process and shared by every face — the desktop app (services.ts), its built-in API server,
 * `earshot serve` and the other CLI commands. A face adds only what is its own (the desktop's queue, library and
 * settings; the server's HTTP layer), so two faces over one folder see the same licenses, quota and models.
 */
import type { SpeechModel } from './asr/types.ts';
import type { DeviceRequest } from './asr/types.ts';
import { LicenseService, type LicenseServiceOptions } from './license/index.ts';
import { ModelManager, type ModelManagerOptions } from './models/index.ts';
import { bundledModelsDir, dataHome, dataPaths } from './paths.ts';

export interface EngineConfig {
  /** The data folder (default EARSHOT_HOME or the per-user folder). */
  home?: string;
  /** Licensing options other than the folder (tests: trusted keys, clock). */
  license?: Omit<LicenseServiceOptions, 'dataDir'>;
  /** Where downloaded models live (default: the data folder's models/). */
  modelsDir?: string;
  bundledModelsDir?: string;
  /** Model catalog path or object (default: the app's models/catalog.json). */
  catalog?: ModelManagerOptions['catalog'];
  /** Model download mirror (default HF_ENDPOINT or huggingface.co). */
  modelEndpoint?: string;
}

export interface Engine {
  readonly home: string;
  readonly licenses: LicenseService;
  readonly models: ModelManager;
  /** Resolves a model folder, an installed id, or (none) the default model, and loads it. */
  loadModel(
    idOrPath: string | undefined,
    options?: { device?: DeviceRequest; threads?: number },
  ): Promise<{ id: string; model: SpeechModel }>;
  /** Pending usage writes done (before exit). */
  flush(): Promise<void>;
}

export function createEngine(config: EngineConfig = {}): Engine {
  const home = config.home ?? dataHome();
  const licenses = new LicenseService({ ...config.license, dataDir: home });
  const models = new ModelManager({
    modelsDir: config.modelsDir ?? dataPaths(home).models,
    bundledDir: config.bundledModelsDir ?? bundledModelsDir(),
    catalog: config.catalog,
    endpoint: config.modelEndpoint,
  });
  return {
    home,
    licenses,
    models,
    loadModel: (idOrPath, options) => models.load(idOrPath, options),
    flush: () => licenses.flush(),
  };
}
