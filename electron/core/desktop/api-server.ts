/**
 * The desktop's optional built-in API server (off by default): started and stopped as the settings change, with the
 * stored license key as the key clients must present. Its status carries a ready-to-paste curl example.
 */
import type { ServerStatus } from '../../contract/api.ts';
import { toApiError } from '../../contract/dispatch.ts';
import { EarshotError } from '../errors.ts';
import type { Engine } from '../engine.ts';
import type { SecretStore } from '../license/index.ts';
import type { WorkerPipeline } from '../jobs/worker-pipeline.ts';
import { DEFAULT_SERVER_CONFIG, type RunningServer, startServer } from '../server/index.ts';
import { serverServices } from '../server/deps.ts';
import type { ModelProvider } from '../server/services.ts';
import type { SettingsRecord } from '../settings/schema.ts';

export function curlExample(url: string): string {
  return [
    `curl -X POST "${url}/v1/listen" \\`,
    `  -H "Authorization: Token $LICENSE_KEY" \\`,
    '  -F audio=@recording.wav -F timestamps=true',
  ].join('\n');
}

/** Where the desktop's model lives: its job worker (jobs/worker-pipeline.ts), which keeps one model loaded. */
export type DesktopModelHost = Pick<WorkerPipeline, 'loadModel' | 'runSamples'>;

/**
 * The server's model runner on the desktop's job worker: the worker keeps one model, so when the server's model is the
 * desktop's (the default model, the device and threads of the settings) it is loaded once for both.
 */
function sharedRunner(host: DesktopModelHost): NonNullable<ModelProvider['runner']> {
  return async (load) => {
    const info = await host.loadModel(load);
    return {
      ...info,
      run: (samples, options, signal) => host.runSamples({ ...load, ...options, samples }, signal),
      // The desktop owns the model: stopping the server leaves it loaded for the next job.
      dispose: async () => {},
    };
  };
}

export class DesktopApiServer {
  private running?: { server: RunningServer; key: string; host: string; port: number };
  private lastError?: EarshotError;
  private chain: Promise<void> = Promise.resolve();
  /** Set by `close`: a start still in the chain must not leave a server listening after the app closed. */
  private closed = false;

  constructor(
    /** The desktop's engine: the API server shares its licenses, quota and model manager. */
    private readonly engine: Engine,
    private readonly secrets: SecretStore,
    private readonly appVersion: string,
    /** The desktop's job worker; without it (a test pipeline) the server loads the model in threads of its own. */
    private readonly modelHost?: DesktopModelHost,
  ) {}

  /** Brings the server in line with the settings (serialised: toggles in quick succession apply in order). */
  apply(settings: SettingsRecord): Promise<void> {
    this.chain = this.chain.then(() => (this.closed ? undefined : this.reconcile(settings))).catch(() => {});
    return this.chain;
  }

  /** Stops the server for good, after any start or restart already in progress (the app is closing). */
  close(): Promise<void> {
    this.closed = true;
    this.chain = this.chain.then(() => this.stop()).catch(() => {});
    return this.chain;
  }

  private async reconcile(settings: SettingsRecord): Promise<void> {
    const { enabled, host, port } = settings.server;
    const key = enabled ? await this.secrets.get() : undefined;
    const same = this.running && this.running.host === host && this.running.port === port && this.running.key === key;
    if (enabled && same) return;
    await this.stop();
    if (!enabled) return;
    try {
      if (!key) throw new EarshotError('INVALID_LICENSE', 'The API server needs a license key: add one above');
      const config = {
        ...DEFAULT_SERVER_CONFIG,
        host,
        port,
        licenseKeys: [key],
        device: settings.device,
        threads: settings.threads || undefined,
        quiet: true,
        guardHost: true,
      };
      const services = serverServices({
        license: this.engine.licenses,
        models: this.engine.models,
        licenseKeys: [key],
        maxAudioSeconds: config.maxAudioSeconds,
      });
      if (this.modelHost) services.models.runner = sharedRunner(this.modelHost);
      const server = await startServer(config, services, { version: this.appVersion });
      server.ready.catch(() => {});
      this.running = { server, key, host, port };
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      this.lastError =
        err.code === 'EADDRINUSE'
          ? new EarshotError('SERVICE_UNAVAILABLE', `Port ${port} is already in use by another program`)
          : e instanceof EarshotError
            ? e
            : new EarshotError('SERVICE_UNAVAILABLE', `The API server could not start: ${err.message}`);
    }
  }

  status(): ServerStatus {
    if (this.running) {
      const url = this.running.server.url;
      return { running: true, url, curlExample: curlExample(url) };
    }
    return this.lastError ? { running: false, error: toApiError(this.lastError) } : { running: false };
  }

  async stop(): Promise<void> {
    const r = this.running;
    this.running = undefined;
    this.lastError = undefined;
    await r?.server.close();
  }
}
