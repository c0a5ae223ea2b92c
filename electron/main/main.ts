/**
 * Electron main process: lifecycle, the window and IPC wiring only. All logic lives in electron/core.
 */
import path from 'node:path';
import { app, BrowserWindow } from 'electron';
import { dataHome } from '../core/paths.ts';
import { hardenSession } from './security.ts';
import { createMainWindow } from './window.ts';

// One data folder for the app and the CLI (EARSHOT_HOME or the per-user app-data folder).
app.setPath('userData', dataHome());

const distDir = path.resolve(import.meta.dirname, '..');
let mainWindow: BrowserWindow | undefined;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });

  app.whenReady().then(async () => {
    const { session } = await import('electron');
    hardenSession(session.defaultSession);
    mainWindow = createMainWindow(distDir);
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) mainWindow = createMainWindow(distDir);
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
