/**
 * Sandboxed preload: exposes exactly the typed contract as `window.earshot`, nothing else. Each method is one
 * `ipcRenderer.invoke('<service>:<method>', ...args)`; main validates every payload.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { EarshotApi, JobView, ModelDownloadProgress } from '../contract/api.ts';
import { EVENT_CHANNELS } from '../contract/api.ts';

const invoke =
  (channel: string) =>
  (...args: unknown[]) =>
    ipcRenderer.invoke(channel, ...args);

function subscribe<T>(channel: string, listener: (payload: T) => void): () => void {
  const handler = (_event: unknown, payload: T) => listener(payload);
  ipcRenderer.on(channel, handler);
  return () => ipcRenderer.removeListener(channel, handler);
}

const api: EarshotApi = {
  license: { status: invoke('license:status'), set: invoke('license:set'), remove: invoke('license:remove') },
  jobs: {
    list: invoke('jobs:list'),
    addFiles: invoke('jobs:addFiles'),
    addUrl: invoke('jobs:addUrl'),
    cancel: invoke('jobs:cancel'),
    retry: invoke('jobs:retry'),
    remove: invoke('jobs:remove'),
    onUpdate: (listener) => subscribe<JobView>(EVENT_CHANNELS.jobUpdate, listener),
  },
  transcripts: {
    list: invoke('transcripts:list'),
    get: invoke('transcripts:get'),
    updateSegments: invoke('transcripts:updateSegments'),
    rename: invoke('transcripts:rename'),
    remove: invoke('transcripts:remove'),
    restore: invoke('transcripts:restore'),
    search: invoke('transcripts:search'),
    export: invoke('transcripts:export'),
    mediaUrl: invoke('transcripts:mediaUrl'),
  },
  models: {
    list: invoke('models:list'),
    pull: invoke('models:pull'),
    cancelPull: invoke('models:cancelPull'),
    import: invoke('models:import'),
    remove: invoke('models:remove'),
    setDefault: invoke('models:setDefault'),
    onProgress: (listener) => subscribe<ModelDownloadProgress>(EVENT_CHANNELS.modelProgress, listener),
  },
  settings: { get: invoke('settings:get'), update: invoke('settings:update') },
  system: {
    info: invoke('system:info'),
    pickFiles: invoke('system:pickFiles'),
    pathForFile: (file) => webUtils.getPathForFile(file),
  },
} as EarshotApi;

contextBridge.exposeInMainWorld('earshot', api);
