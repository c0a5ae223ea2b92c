/**
 * Starts the API server: checks that at least one configured license key is valid (refusing to start otherwise),
 * listens at once (health answers 503 while the model loads), then loads the one shared model.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { EarshotError, isEarshotError } from '../errors.ts';
import { dataPaths } from '../paths.ts';
import { type BuiltApp, buildApp } from './app.ts';
import type { ServerConfig } from './config.ts';
import type { ServerServices } from './services.ts';

export { buildApp } from './app.ts';
export { DEFAULT_SERVER_CONFIG, envFlag, parseLicenseKeys, type ServerConfig } from './config.ts';

/** What cluster mode adds to a server (cluster/index.ts); absent in single-process mode. */
export interface ServerExtension {
  /** False on a cluster API node: it loads no model. */
  loadsModel: boolean;
  /** When it loads no model: resolves once the server can take requests. */
  ready?: Promise<void>;
  /** Called once listening, with the model's loading. */
  started?(modelReady: Promise<void>): void;
  close(): Promise<void>;
}

export interface RunningServer extends BuiltApp {
  url: string;
  /** One line per configured key that is not a valid license (redacted key and the exact reason). */
  keyWarnings: string[];
  /** Resolves when the model is loaded (rejects if it fails to load). */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** Why a key is refused, as precisely as `earshot license inspect` says it (the API body keeps only the code). */
function refusal(e: unknown): string {
  if (!isEarshotError(e)) return String(e);
  const reason = (e as { reason?: unknown }).reason;
  return `${typeof reason === 'string' && reason ? reason : e.message} (${e.code})`;
}

/**
 * Throws INVALID_LICENSE (with each key's exact reason, redacted) unless at least one key is a valid license;
 * otherwise returns one warning per configured key that is not.
 */
export async function checkLicenseKeys(config: ServerConfig, services: ServerServices): Promise<string[]> {
  if (config.licenseKeys.length === 0) {
    throw new EarshotError(
      'INVALID_LICENSE',
      'No license key configured: set LICENSE_KEY (comma-separate several keys)',
    );
  }
  const reasons: string[] = [];
  let valid = 0;
  for (const key of config.licenseKeys) {
    try {
      await services.license.verify(key);
      valid++;
    } catch (e) {
      reasons.push(`${services.license.redact(key)}: ${refusal(e)}`);
    }
  }
  if (valid === 0) {
    throw new EarshotError('INVALID_LICENSE', `None of the configured license keys is valid: ${reasons.join('; ')}`);
  }
  return reasons.map((r) => `license key ${r}; requests with it are refused`);
}

export async function startServer(
  config: ServerConfig,
  services: ServerServices,
  options: { version?: string; extend?: (built: BuiltApp) => Promise<ServerExtension> } = {},
): Promise<RunningServer> {
  const keyWarnings = await checkLicenseKeys(config, services);
  const tmpDir = path.join(dataPaths().tmp, 'server');
  await fs.mkdir(tmpDir, { recursive: true });
  await removeStaleUploads(tmpDir, config.requestTimeoutSeconds);
  const built = await buildApp(config, services, {
    tmpDir,
    version: options.version ?? '0.1.0',
    jobsDir: path.join(dataPaths().jobs, 'api'),
  });
  await built.context.jobs.restore();
  const extension = await options.extend?.(built);
  await built.app.listen({ host: config.host, port: config.port });
  const address = built.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const scheme = config.tlsCert && config.tlsKey ? 'https' : 'http';
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const ready =
    extension && !extension.loadsModel ? (extension.ready ?? Promise.resolve()) : built.context.transcriber.loadModel();
  extension?.started?.(ready);
  ready.catch((e) => built.app.log.error({ err: e }, 'model failed to load'));
  for (const warning of keyWarnings) built.app.log.warn(warning);
  return {
    ...built,
    url: `${scheme}://${host}:${port}`,
    keyWarnings,
    ready,
    async close() {
      await built.app.close();
      await extension?.close();
      await built.context.jobs.drain();
      const state = built.context.transcriber.state;
      if (state.status === 'ready') await state.loaded.model.dispose();
    },
  };
}

/** Uploads left behind by a crash (every live upload is younger than the request budget). */
async function removeStaleUploads(dir: string, budgetSeconds: number): Promise<void> {
  const cutoff = Date.now() - (budgetSeconds + 60) * 1000;
  for (const name of await fs.readdir(dir)) {
    if (!name.startsWith('upload-')) continue;
    const file = path.join(dir, name);
    const stat = await fs.stat(file).catch(() => undefined);
    if (stat && stat.mtimeMs < cutoff) await fs.rm(file, { force: true });
  }
}
