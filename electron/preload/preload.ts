/**
 * Sandboxed preload: exposes exactly the typed contract as `window.earshot`, nothing else. Each method is one
 * `ipcRenderer.invoke('<service>:<method>', ...args)` built from the shared channel list; main validates every
 * payload. The one exception is the microphone's audio: each recording gets its own MessagePort from main (a
 * MessageChannelMain whose other end is in the live engine's utility process), and `live.audio` posts frames on it,
 * so they never pass main's event loop; the engine validates them.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { buildEarshotApi } from '../contract/bridge.ts';
import { LIVE_FRAMES_CHANNEL } from '../contract/channels.ts';
import { LiveFramesSender } from '../contract/live-frames.ts';

const liveFrames = new LiveFramesSender();
ipcRenderer.on(LIVE_FRAMES_CHANNEL, (event, payload: { id?: unknown } | undefined) => {
  const [port] = event.ports;
  if (port && typeof payload?.id === 'string') liveFrames.attach(payload.id, port);
});

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
  liveFrames,
});

contextBridge.exposeInMainWorld('earshot', api);
