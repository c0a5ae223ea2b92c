/** The application menu: standard roles plus Open, History and Settings, which reach the window as AppCommands. */
import { app, Menu, type MenuItemConstructorOptions } from 'electron';
import type { AppCommand } from '../contract/api.ts';

export function installMenu(send: (command: AppCommand) => void, openFiles: () => void): void {
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open Files…', accelerator: 'CmdOrCtrl+O', click: openFiles },
        { type: 'separator' },
        { label: 'Settings…', accelerator: 'CmdOrCtrl+,', click: () => send({ type: 'navigate', view: 'settings' }) },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { label: 'Queue', accelerator: 'CmdOrCtrl+1', click: () => send({ type: 'navigate', view: 'queue' }) },
        { label: 'History', accelerator: 'CmdOrCtrl+2', click: () => send({ type: 'navigate', view: 'history' }) },
        { label: 'Settings', accelerator: 'CmdOrCtrl+3', click: () => send({ type: 'navigate', view: 'settings' }) },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
      ],
    },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
