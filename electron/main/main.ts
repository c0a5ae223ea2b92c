/**
 * Electron main process: lifecycle, the window, menus, files from the OS and IPC wiring only. All logic lives in
 * electron/core, built by the one composition root (createDesktop) that the tests use too.
 */
import path from 'node:path';
import { app, BrowserWindow, clipboard, dialog, globalShortcut, type MessagePortMain, session, shell } from 'electron';
import { isAppPageUrl } from './app-url.ts';
import type { AppCommand } from '../contract/api.ts';
import { EVENT_CHANNELS } from '../contract/api.ts';
import { LIVE_FRAMES_CHANNEL } from '../contract/channels.ts';
import { dialogExtensions, isMediaName } from '../core/media-types.ts';
import { dataHome } from '../core/paths.ts';
import { createDesktop, type Desktop } from '../core/services.ts';
import { registerIpc } from './ipc.ts';
import { handleMediaProtocol, mediaUrlFor, registerMediaScheme } from './media-protocol.ts';
import { utilityLiveEngine } from './live-engine.ts';
import { installMenu } from './menu.ts';
import { SafeStorageSecretStore } from './secret-store.ts';
import { hardenSession } from './security.ts';
import { electronStoreBackend } from './settings-store.ts';
import { createMainWindow } from './window.ts';

// One data folder for the app and the CLI (EARSHOT_HOME or the per-user app-data folder).
app.setPath('userData', dataHome());
registerMediaScheme();

const distDir = path.resolve(import.meta.dirname, '..');
const indexHtml = path.join(distDir, 'renderer', 'index.html');
let mainWindow: BrowserWindow | undefined;
let desktop: Desktop | undefined;
/** Files opened from the OS before the services were ready. */
const pendingPaths: string[] = [];

function send(channel: string, payload: unknown): void {
  if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(channel, payload);
}

/** A recording's frames port goes to our own page only; the preload posts the microphone's frames on it. */
function deliverLiveFrames(id: string, port: MessagePortMain): void {
  const contents = mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents : undefined;
  if (contents && isAppPageUrl(contents.getURL(), indexHtml)) contents.postMessage(LIVE_FRAMES_CHANNEL, { id }, [port]);
  else port.close();
}

function command(cmd: AppCommand): void {
  send(EVENT_CHANNELS.appCommand, cmd);
}

/** Files from "Open with", the dock icon or a second launch go straight into the queue. */
async function openPaths(paths: string[]): Promise<void> {
  if (paths.length === 0) return;
  if (!desktop) {
    pendingPaths.push(...paths);
    return;
  }
  const result = await desktop.dispatch('jobs:addFiles', [paths]);
  command({ type: 'navigate', view: 'queue' });
  if (!result.ok) dialog.showErrorBox('Could not add the files', result.error.message);
}

function pathsFromArgv(argv: string[]): string[] {
  return argv.slice(app.isPackaged ? 1 : 2).filter((a) => !a.startsWith('-') && isMediaName(a));
}

async function pickFiles(): Promise<string[]> {
  const options: Electron.OpenDialogOptions = {
    title: 'Choose recordings',
    properties: ['openFile', 'multiSelections'],
    filters: [{ name: 'Audio and video', extensions: dialogExtensions() }],
  };
  const r = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
  return r.canceled ? [] : r.filePaths;
}

async function pickFolder(): Promise<string | undefined> {
  const options: Electron.OpenDialogOptions = {
    title: 'Export into this folder',
    properties: ['openDirectory', 'createDirectory'],
  };
  const r = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
  return r.canceled ? undefined : r.filePaths[0];
}

function startDesktop(home: string): Promise<Desktop> {
  return createDesktop({
    home,
    secretStore: new SafeStorageSecretStore(),
    settingsBackend: electronStoreBackend(home),
    appVersion: app.getVersion(),
    mediaUrl: (t) => (t.mediaPath ? mediaUrlFor(t.id) : null),
    pickFiles,
    copyText: async (text) => clipboard.writeText(text),
    pickFolder,
    // Core has checked the path (data folder or exported by the app: desktop/exported-files.ts).
    revealInFolder: async (file) => shell.showItemInFolder(file),
    manageApiServer: true,
    // Live transcription in a utility process, fed by the window over per-recording ports (live-engine.ts).
    liveEngine: utilityLiveEngine(distDir, deliverLiveFrames),
  });
}

function showWindow(): void {
  if (!mainWindow || mainWindow.isDestroyed()) mainWindow = createMainWindow(distDir);
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_event, argv) => {
    showWindow();
    void openPaths(pathsFromArgv(argv));
  });
  // macOS: files dropped on the dock icon or opened with Earshot (may arrive before ready).
  app.on('open-file', (event, file) => {
    event.preventDefault();
    void openPaths([file]);
  });
  pendingPaths.push(...pathsFromArgv(process.argv));

  app.whenReady().then(async () => {
    hardenSession(session.defaultSession, (url) => isAppPageUrl(url, indexHtml));
    const home = dataHome();
    // Damaged data files are set aside and reported inside (data-notices.ts); anything still fatal gets a message
    // instead of a process with no window.
    try {
      desktop = await startDesktop(home);
    } catch (e) {
      dialog.showErrorBox('Earshot could not start', e instanceof Error ? e.message : String(e));
      app.quit();
      return;
    }
    handleMediaProtocol(desktop.library);
    registerIpc(desktop.dispatch, (url) => isAppPageUrl(url, indexHtml));
    desktop.jobs.on('update', (job) => send(EVENT_CHANNELS.jobUpdate, job));
    // The queue's overall progress on the taskbar / dock icon (computed in core: taskbar-progress.ts).
    desktop.onTaskbarProgress((p) => {
      if (mainWindow && !mainWindow.isDestroyed()) mainWindow.setProgressBar(p.value, { mode: p.mode });
    });
    desktop.onModelProgress((p) => send(EVENT_CHANNELS.modelProgress, p));
    desktop.live.on('event', (e) => send(EVENT_CHANNELS.liveEvent, e));
    // Starts or stops a recording from anywhere (the window comes to the front on the Record screen).
    globalShortcut.register('CommandOrControl+Shift+R', () => {
      if (!mainWindow || mainWindow.isDestroyed()) showWindow();
      else mainWindow.show();
      command({ type: 'toggleRecording' });
    });
    installMenu(command, () => void pickFiles().then(openPaths));
    showWindow();
    void openPaths(pendingPaths.splice(0));
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) showWindow();
    });
  });

  app.on('will-quit', () => globalShortcut.unregisterAll());

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Running jobs stop cleanly and resume on the next start; usage records are flushed.
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting || !desktop) return;
    event.preventDefault();
    quitting = true;
    void desktop.dispose().finally(() => app.quit());
  });
}
