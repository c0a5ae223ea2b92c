/**
 * Runs the BUILT renderer (dist/renderer) in Debian's Chromium with `window.earshot` bound to the real core in this
 * process — the same thing Electron's preload does, through the same code: the page gets `buildEarshotApi` from
 * electron/contract/bridge.ts (bundled by esbuild), with a Playwright binding as its transport instead of ipcRenderer,
 * and every call goes through the same validating dispatcher that main registers on ipcMain. Events the main process
 * would `webContents.send` are pushed with page.evaluate. Microphone frames take the app's path too, not the
 * dispatcher: the page's `live.audio` goes through a binding of its own to the contract's LiveFramesSender, which
 * posts them on the recording's frames port straight to the live worker thread (the app: preload → utility process).
 */
import assert from 'node:assert/strict';
import { createReadStream, existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after } from 'node:test';
import { build } from 'esbuild';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import type { AppCommand, ModelDownloadProgress, ModelView, Result } from '../../electron/contract/api.ts';
import { EVENT_CHANNELS } from '../../electron/contract/api.ts';
import type { JobRecord, TranscriptionPipeline } from '../../electron/core/jobs/types.ts';
import { FileSecretStore } from '../../electron/core/license/index.ts';
import { demoModelAvailable, devKey, tempHome, WHISPER_FIXTURE } from '../app/fixtures.ts';
import { WorkerPipeline } from '../../electron/core/jobs/worker-pipeline.ts';
import { createDesktop, type Desktop, type DesktopConfig } from '../../electron/core/services.ts';
import { LiveFramesSender } from '../../electron/contract/live-frames.ts';
import { threadLiveEngine } from '../../electron/core/live/live-thread.ts';
import { PacedPipeline } from './paced-pipeline.ts';

const RENDERER_DIR = path.resolve('dist/renderer');
const CHROMIUM = process.env.EARSHOT_CHROMIUM ?? '/usr/bin/chromium';

/** The page side of the binding: the contract's own builder over a Playwright transport. */
async function bridgeScript(): Promise<string> {
  const out = await build({
    stdin: {
      contents: `
        import { buildEarshotApi } from './electron/contract/bridge.ts';
        const listeners = new Map();
        window.__earshotEmit = (channel, payload) => { for (const l of listeners.get(channel) ?? []) l(payload); };
        window.__earshotFilePaths = {};
        window.earshot = buildEarshotApi({
          invoke: (channel, args) => window.__earshotInvoke(channel, args),
          subscribe(channel, listener) {
            if (!listeners.has(channel)) listeners.set(channel, new Set());
            listeners.get(channel).add(listener);
            return () => listeners.get(channel).delete(listener);
          },
          pathForFile: (file) => window.__earshotFilePaths[file.name] ?? '',
          liveFrames: {
            send(id, pcm) {
              let text = '';
              const bytes = new Uint8Array(pcm);
              for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
              void window.__earshotFrame(id, btoa(text));
            },
            flush: (id) => void window.__earshotFrame(id, false),
            end: (id) => void window.__earshotFrame(id, null),
          },
        });`,
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    write: false,
    target: 'chrome120',
  });
  return out.outputFiles[0].text;
}

const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.webm': 'audio/webm',
};

/** Serves a file with Range support (the <audio> element seeks with ranges). */
async function sendFile(req: http.IncomingMessage, res: http.ServerResponse, file: string): Promise<void> {
  const st = await fs.stat(file).catch(() => undefined);
  if (!st?.isFile()) {
    res.writeHead(404).end();
    return;
  }
  const type = MIME[path.extname(file)] ?? 'application/octet-stream';
  const range = /bytes=(\d*)-(\d*)/.exec(req.headers.range ?? '');
  if (range) {
    const start = range[1] ? Number(range[1]) : 0;
    const end = range[2] ? Math.min(Number(range[2]), st.size - 1) : st.size - 1;
    res.writeHead(206, {
      'Content-Type': type,
      'Content-Range': `bytes ${start}-${end}/${st.size}`,
      'Content-Length': end - start + 1,
      'Accept-Ranges': 'bytes',
    });
    createReadStream(file, { start, end }).pipe(res);
    return;
  }
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': st.size, 'Accept-Ranges': 'bytes' });
  createReadStream(file).pipe(res);
}

/**
 * One Chromium for the tests of a file, each test in a fresh context of its own (no shared cookies, storage or page).
 * Closed once no test has used it for a moment, so a test file's process can end.
 */
let browserPromise: Promise<Browser> | undefined;
let browserUsers = 0;
let idleTimer: NodeJS.Timeout | undefined;

function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
      ...extraArgs,
    ],
  });
}

function sharedBrowser(): Promise<Browser> {
  browserUsers++;
  clearTimeout(idleTimer);
  browserPromise ??= launchBrowser();
  return browserPromise;
}

function releaseBrowser(): void {
  browserUsers--;
  if (browserUsers > 0) return;
  const closing = browserPromise;
  idleTimer = setTimeout(() => {
    if (browserUsers > 0 || browserPromise !== closing) return;
    browserPromise = undefined;
    void closing?.then((b) => b.close());
  }, 1000);
}

/**
 * One inference worker for the apps of a file, as one Chromium is: each app still has its own core, queue and data
 * folder, and jobs name their model by path, so nothing but the worker's start-up (thread, runtime, model sessions)
 * carries over from one test to the next. Retired once no app has used it for a moment.
 */
let sharedWorker: WorkerPipeline | undefined;
let workerUsers = 0;
let workerIdle: NodeJS.Timeout | undefined;

function sharedPipeline(): TranscriptionPipeline {
  workerUsers++;
  clearTimeout(workerIdle);
  sharedWorker ??= new WorkerPipeline();
  const inner = sharedWorker;
  let released = false;
  return {
    run: (input, cb) => inner.run(input, cb),
    async dispose() {
      if (released) return;
      released = true;
      workerUsers--;
      if (workerUsers > 0) return;
      workerIdle = setTimeout(() => {
        if (workerUsers > 0 || sharedWorker !== inner) return;
        sharedWorker = undefined;
        retiring.push(inner.dispose());
      }, 1000);
    },
  };
}
/** Workers being retired: the file's end waits for them (a thread ended inside a model load aborts the process). */
const retiring: Promise<void>[] = [];

/** Retires the shared worker now and waits for every retirement (a file's end; a bench's end). */
export async function retireSharedWorker(): Promise<void> {
  clearTimeout(workerIdle);
  if (sharedWorker) retiring.push(sharedWorker.dispose());
  sharedWorker = undefined;
  await Promise.allSettled(retiring);
}
// Under node's test runner (which sets NODE_TEST_CONTEXT for each file) the file's end waits for it.
if (process.env.NODE_TEST_CONTEXT) after(retireSharedWorker);

export interface Harness {
  page: Page;
  browser: Browser;
  desktop: Desktop;
  home: string;
  baseUrl: string;
  /** Files served under /files/ (the "web server" for URL jobs). */
  filesDir: string;
  clipboard: string[];
  jobEvents: JobRecord[];
  /** The real pipeline, with the pace of chosen jobs under the test's control (paced-pipeline.ts). */
  pipeline: PacedPipeline;
  /** Console errors and uncaught exceptions in the page (React warnings included). */
  pageErrors: string[];
  setDropPaths(map: Record<string, string>): Promise<void>;
  drop(names: string[]): Promise<void>;
  sendCommand(cmd: AppCommand): Promise<void>;
  reload(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  beforeLoad?: (desktop: Desktop) => Promise<void>;
  /** Extra composition-root settings (e.g. a test catalog and model mirror). */
  desktop?: Partial<DesktopConfig>;
  /** Serve `dir` as a Hugging Face-style mirror of `repo` at `${baseUrl}/hf/<repo>/resolve/<revision>/<path>`. */
  mirror?: { repo: string; dir: string };
  /** Extra Chromium switches (e.g. fake microphone capture from a file). */
  chromiumArgs?: string[];
  /** Permissions granted to the page (e.g. 'microphone'). */
  permissions?: string[];
  /** The window size (default 1200×800). */
  viewport?: { width: number; height: number };
  /** Channels the core answers this many ms late (a slow disk, a big transcript): for races the app must survive. */
  slowChannels?: Record<string, number>;
}

export async function startHarness(home: string, options: HarnessOptions = {}): Promise<Harness> {
  if (!existsSync(path.join(RENDERER_DIR, 'index.html'))) throw new Error('Run `npm run build` first (dist/renderer)');
  const filesDir = path.join(home, 'served');
  await fs.mkdir(filesDir, { recursive: true });
  let desktop: Desktop | undefined;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = decodeURIComponent(url.pathname);
    if (p.startsWith('/media/') && desktop) {
      void desktop.library
        .get(p.slice(7))
        .then(async (t) => {
          if (t.mediaPath) await sendFile(req, res, t.mediaPath);
          else res.writeHead(404).end();
        })
        .catch(() => res.writeHead(404).end());
      return;
    }
    const mirrorPrefix = options.mirror && `/hf/${options.mirror.repo}/resolve/`;
    if (mirrorPrefix && p.startsWith(mirrorPrefix)) {
      const rel = p.slice(mirrorPrefix.length).split('/').slice(1).join('/');
      const file = path.resolve(options.mirror!.dir, rel);
      if (file.startsWith(options.mirror!.dir)) void sendFile(req, res, file);
      else res.writeHead(403).end();
      return;
    }
    if (p === '/__test/axe.min.js') {
      void sendFile(req, res, path.resolve('node_modules/axe-core/axe.min.js'));
      return;
    }
    const root = p.startsWith('/files/') ? filesDir : RENDERER_DIR;
    const rel = p.startsWith('/files/') ? p.slice(7) : p === '/' ? 'index.html' : p.slice(1);
    const file = path.resolve(root, rel);
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    void sendFile(req, res, file);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const clipboard: string[] = [];
  const pipeline = new PacedPipeline(sharedPipeline());
  // The window's ends of the recordings' frames ports (the preload holds them in the app).
  const liveFrames = new LiveFramesSender();
  desktop = await createDesktop({
    pipeline,
    liveEngine: threadLiveEngine((id, port) => liveFrames.attach(id, port)),
    modelEndpoint: `${baseUrl}/hf`,
    manageApiServer: true,
    ...options.desktop,
    home,
    secretStore: new FileSecretStore(path.join(home, 'license', 'key')),
    appVersion: 'e2e',
    mediaUrl: (t) => (t.mediaPath ? `${baseUrl}/media/${t.id}` : null),
    copyText: async (text) => {
      clipboard.push(text);
    },
  });

  // A test that needs its own Chromium flags (fake capture devices) gets its own browser; the others share one.
  const ownBrowser = options.chromiumArgs?.length ? await launchBrowser(options.chromiumArgs) : undefined;
  const browser = ownBrowser ?? (await sharedBrowser());
  const context = await browser.newContext({
    acceptDownloads: true,
    viewport: options.viewport ?? { width: 1200, height: 800 },
    permissions: options.permissions,
  });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') pageErrors.push(`${m.type()}: ${m.text()} ${m.location().url}`);
  });
  const d = desktop;
  // The media address always answers after the transcript itself, as it can in the app: the player then mounts late,
  // and the transcript view must still follow its clock (a race that once made the playback test flaky).
  await page.exposeBinding('__earshotInvoke', async (_source, channel: string, args: unknown[]) => {
    const late = channel === 'transcripts:mediaUrl' ? 300 : (options.slowChannels?.[channel] ?? 0);
    if (late) await new Promise((r) => setTimeout(r, late));
    return d.dispatch(channel, args);
  });
  // Frames, in the order the page sent them, onto the recording's port (null: the end marker; false: a pause's).
  await page.exposeBinding('__earshotFrame', (_source, id: string, base64: string | null | false) => {
    if (base64 === null) return liveFrames.end(id);
    if (base64 === false) return liveFrames.flush(id);
    const bytes = Buffer.from(base64, 'base64');
    liveFrames.send(id, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  });
  await page.addInitScript({ content: await bridgeScript() });

  const push = (channel: string, payload: unknown) =>
    page
      .evaluate(
        ([c, p]) => (window as unknown as { __earshotEmit?: (c: unknown, p: unknown) => void }).__earshotEmit?.(c, p),
        [channel, payload] as const,
      )
      .catch(() => {}); // the page may be reloading; the renderer re-lists on load
  const jobEvents: JobRecord[] = [];
  d.jobs.on('update', (job) => {
    jobEvents.push(job);
    void push(EVENT_CHANNELS.jobUpdate, job);
  });
  const offModels = d.onModelProgress((p: ModelDownloadProgress) => void push(EVENT_CHANNELS.modelProgress, p));
  const liveEvent = (e: unknown) => void push(EVENT_CHANNELS.liveEvent, e);
  d.live.on('event', liveEvent);

  await options.beforeLoad?.(d);
  await page.goto(`${baseUrl}/index.html`);
  return {
    page,
    browser,
    desktop: d,
    home,
    baseUrl,
    filesDir,
    clipboard,
    jobEvents,
    pipeline,
    pageErrors,
    async setDropPaths(map) {
      await page.evaluate((m) => {
        Object.assign((window as unknown as { __earshotFilePaths: Record<string, string> }).__earshotFilePaths, m);
      }, map);
    },
    async drop(names) {
      const dt = await page.evaluateHandle((list) => {
        const t = new DataTransfer();
        for (const n of list) t.items.add(new File(['x'], n));
        return t;
      }, names);
      await page.dispatchEvent('[data-testid=dropzone]', 'drop', { dataTransfer: dt });
    },
    sendCommand: (cmd) => push(EVENT_CHANNELS.appCommand, cmd),
    async reload() {
      await page.reload();
    },
    async close() {
      offModels();
      d.live.off('event', liveEvent);
      await context.close();
      if (ownBrowser) await ownBrowser.close();
      else releaseBrowser();
      await d.dispose();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Runs axe-core in the page; returns the serious and critical violations. */
export async function axeViolations(page: Page): Promise<{ id: string; impact: string; nodes: string[] }[]> {
  // Served from the app's own origin: the renderer's CSP allows only 'self' scripts.
  await page.addScriptTag({ url: '/__test/axe.min.js' });
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            ctx: Document,
            o: unknown,
          ): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await fs.mkdir('test-results', { recursive: true });
  await page.screenshot({ path: path.join('test-results', `${name}.png`), fullPage: false });
}

export interface AppSpec extends HarnessOptions {
  /** Prefix of the temporary data folder's name. */
  prefix?: string;
  /** Runs on the new, empty data folder before the app starts (files the app should find, media to drop). */
  prepare?: (home: string) => Promise<void> | void;
}

/**
 * One test's own app: a fresh data folder, core and browser context, so no test depends on what another left behind
 * or on the order tests run in. Checks the page console stayed clean, then closes the app and deletes the folder.
 */
export async function withHarness(spec: AppSpec, run: (h: Harness) => Promise<void>): Promise<void> {
  const home = await tempHome(spec.prefix ?? 'earshot-e2e-');
  try {
    await spec.prepare?.(home);
    const h = await startHarness(home, spec);
    try {
      await run(h);
      assert.deepEqual(h.pageErrors, [], 'no errors or warnings in the page console');
    } finally {
      await h.close();
    }
  } finally {
    await fs.rm(home, { recursive: true, force: true });
  }
}

/** Runs the real queue on one file (before the window opens, or behind its back) and answers the finished job. */
export async function transcribe(
  d: Desktop,
  file: string,
  settings?: Partial<JobRecord['settings']>,
): Promise<JobRecord> {
  const added = await d.dispatch('jobs:addFiles', settings ? [[file], settings] : [[file]]);
  assert.ok(added.ok, JSON.stringify(added));
  const id = (added.value as JobRecord[])[0].id;
  return new Promise<JobRecord>((resolve, reject) => {
    const check = (job: JobRecord) => {
      if (job.id !== id || !['done', 'failed', 'cancelled'].includes(job.stage)) return;
      d.jobs.off('update', check);
      if (job.stage === 'done') resolve(job);
      else reject(new Error(`transcription ${job.stage}: ${JSON.stringify(job.error)}`));
    };
    d.jobs.on('update', check);
    // Already over before the listener was attached (a very fast model).
    const now = d.jobs.get(id);
    if (now) check(now);
  });
}

/**
 * Ticks (or clears) a checkbox or radio whose state the core answers: the control changes once the settings update
 * has come back, which on a busy machine is later than Playwright's `check()` looks, so click and wait for the state.
 */
export async function setChecked(box: Locator, on: boolean): Promise<void> {
  if ((await box.isChecked()) !== on) await box.click();
  await box.and(box.page().locator(on ? ':checked' : ':not(:checked)')).waitFor();
}

/**
 * A licensed desktop whose default model runs the jobs: the bundled demo model when it can run, otherwise the imported
 * random-weight Whisper fixture (imported either way, so both are listed).
 */
export async function licenseAndRunner(desktop: Desktop): Promise<void> {
  await desktop.license.set(await devKey());
  await desktop.modelManager.import(WHISPER_FIXTURE);
  const list = (await desktop.dispatch('models:list', [])) as Result<ModelView[]>;
  assert.ok(list.ok);
  const runner = list.value.find((m) => (demoModelAvailable() ? m.bundled : !m.bundled));
  assert.ok(runner, 'no model to run the jobs');
  await desktop.modelManager.setDefault(runner.id);
}

/** Pauses the player and seeks it to `t` seconds, resolving once the media element has seeked. */
export function seekPlayer(page: Page, t: number): Promise<void> {
  return page.getByTestId('player').evaluate(
    (el, t) =>
      new Promise<void>((resolve) => {
        const m = el as HTMLMediaElement;
        m.pause();
        m.addEventListener('seeked', () => resolve(), { once: true });
        m.currentTime = t;
      }),
    t,
  );
}
