/**
 * Sandboxed preload: exposes exactly the typed contract as `window.earshot`, nothing else. Each method is one
 * `ipcRenderer.invoke('<service>:<method>', ...args)` built from the shared channel list; main validates every
 * payload.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { buildEarshotApi } from '../contract/bridge.ts';

const api = buildEarshotApi({
  invoke: (channel, args) => ipcRenderer.invoke(channel, ...args),
  subscribe(channel, listener) {
    const handler = (_event: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, handler);
    return () => {
      ipcRenderer.removeListener(channel, handler);
    };
  },
  pathForFile: (file) => webUtils.getPathForFile(file),
});

contextBridge.exposeInMainWorld('earshot', api);
