import path from 'node:path';
import { BrowserWindow } from 'electron';
import { lockNavigation } from './security.ts';

export function createMainWindow(distDir: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 480,
    title: 'Earshot',
    show: false,
    webPreferences: {
      preload: path.join(distDir, 'preload', 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  const indexHtml = path.join(distDir, 'renderer', 'index.html');
  lockNavigation(win, indexHtml);
  win.once('ready-to-show', () => win.show());
  void win.loadFile(indexHtml);
  return win;
}
