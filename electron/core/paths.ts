import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP_NAME = 'Earshot';

/**
 * The one data folder shared by the desktop app, the CLI and the server. `EARSHOT_HOME` wins (tests isolate
 * themselves with it); otherwise the per-user application-data folder, the same one Electron's
 * `app.getPath('userData')` gives for productName "Earshot" (main sets userData to this path so both agree).
 */
export function dataHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.EARSHOT_HOME) return path.resolve(env.EARSHOT_HOME);
  const home = os.homedir();
  switch (process.platform) {
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_NAME);
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', APP_NAME);
    default:
      return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_NAME);
  }
}

/** Sub-folders of the data home, named in one place. */
export function dataPaths(home = dataHome()) {
  return {
    home,
    settings: path.join(home, 'settings.json'),
    models: path.join(home, 'models'),
    transcripts: path.join(home, 'transcripts'),
    jobs: path.join(home, 'jobs'),
    license: path.join(home, 'license'),
    usage: path.join(home, 'license', 'usage.json'),
    logs: path.join(home, 'logs'),
    tmp: path.join(home, 'tmp'),
  };
}

/**
 * Root of the installed application: the folder holding Earshot's package.json (the repository in development,
 * `resources/app` in a packaged app). Found by walking up from this module, which works for sources and bundles.
 */
export function appRoot(): string {
  if (process.env.EARSHOT_APP_ROOT) return process.env.EARSHOT_APP_ROOT;
  let dir = import.meta.dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'earshot') return dir;
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

/**
 * A bundled worker script, `<dist>/workers/<name>.js`. Packaged apps unpack workers next to the asar archive
 * (electron-builder asarUnpack), and a thread or process must be started from there.
 */
export function bundledWorkerPath(name: string, distDir = path.join(appRoot(), 'dist')): string {
  const bundled = path.join(distDir, 'workers', `${name}.js`);
  const unpacked = bundled.replace(`${path.sep}app.asar${path.sep}`, `${path.sep}app.asar.unpacked${path.sep}`);
  return unpacked !== bundled && existsSync(unpacked) ? unpacked : bundled;
}

/**
 * A worker script of the module at `moduleUrl` (its `import.meta.url`): the `<name>.ts` source beside it when running
 * from sources (tsx), the bundled one in a build.
 */
export function workerScriptPath(moduleUrl: string, name: string): string {
  const here = fileURLToPath(moduleUrl);
  return here.endsWith('.ts') ? path.join(path.dirname(here), `${name}.ts`) : bundledWorkerPath(name);
}

/** The bundled models folder (`models/` in the repo, extraResources in a packaged app). */
export function bundledModelsDir(): string {
  return process.env.EARSHOT_BUNDLED_MODELS ?? path.join(appRoot(), 'models');
}
