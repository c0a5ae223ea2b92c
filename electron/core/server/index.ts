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

export interface RunningServer extends BuiltApp {
  url: string;
  /** Resolves when the model is loaded (rejects if it fails to load). */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** Throws INVALID_LICENSE (with each key's reason, redacted) unless at least one key is a valid license. */
export async function checkLicenseKeys(config: ServerConfig, services: ServerServices): Promise<void> {
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
      reasons.push(`${services.license.redact(key)}: ${isEarshotError(e) ? `${e.message} (${e.code})` : String(e)}`);
    }
  }
  if (valid === 0) {
    throw new EarshotError('INVALID_LICENSE', `None of the configured license keys is valid: ${reasons.join('; ')}`);
  }
}

export async function startServer(
  config: ServerConfig,
  services: ServerServices,
  options: { version?: string } = {},
): Promise<RunningServer> {
  await checkLicenseKeys(config, services);
  const tmpDir = path.join(dataPaths().tmp, 'server');
  await fs.mkdir(tmpDir, { recursive: true });
  await removeStaleUploads(tmpDir, config.requestTimeoutSeconds);
  const built = await buildApp(config, services, {
    tmpDir,
    version: options.version ?? '0.1.0',
    jobsDir: path.join(dataPaths().jobs, 'api'),
  });
  await built.context.jobs.restore();
  await built.app.listen({ host: config.host, port: config.port });
  const address = built.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const scheme = config.tlsCert && config.tlsKey ? 'https' : 'http';
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const ready = built.context.transcriber.loadModel();
  ready.catch((e) => built.app.log.error({ err: e }, 'model failed to load'));
  return {
    ...built,
    url: `${scheme}://${host}:${port}`,
    ready,
    async close() {
      await built.app.close();
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
