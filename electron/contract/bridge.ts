/**
 * Builds `window.earshot` from the channel lists and a transport. The preload passes Electron's ipcRenderer; the
 * end-to-end tests pass a Playwright binding. Same function, same object shape, in both.
 */
import type { EarshotApi } from './api.ts';
import { EVENT_SUBSCRIPTIONS, INVOKE_CHANNELS } from './channels.ts';
import type { LiveFramesSender } from './live-frames.ts';

export interface BridgeTransport {
  invoke(channel: string, args: unknown[]): Promise<unknown>;
  subscribe(channel: string, listener: (payload: unknown) => void): () => void;
  pathForFile(file: File): string;
  /** Recordings' frames ports (live-frames.ts): microphone audio does not go through `invoke`. */
  liveFrames: Pick<LiveFramesSender, 'send' | 'flush' | 'end'>;
}

export function buildEarshotApi(transport: BridgeTransport): EarshotApi {
  const api: Record<string, Record<string, unknown>> = {};
  const service = (name: string) => {
    api[name] ??= {};
    return api[name];
  };
  for (const channel of INVOKE_CHANNELS) {
    const [name, method] = channel.split(':');
    service(name)[method] = (...args: unknown[]) => transport.invoke(channel, args);
  }
  for (const { channel, service: name, method } of EVENT_SUBSCRIPTIONS) {
    service(name)[method] = (listener: (payload: unknown) => void) => transport.subscribe(channel, listener);
  }
  service('system').pathForFile = (file: File) => transport.pathForFile(file);
  const live = service('live');
  live.audio = (id: string, pcm: ArrayBuffer) => transport.liveFrames.send(id, pcm);
  // The end marker goes first, on the frames port: the engine decides the rest once it has every frame.
  // Likewise a pause: its marker on the port, so the frames sent before it are decided by it.
  live.pause = (...args: unknown[]) => {
    if (typeof args[0] === 'string') transport.liveFrames.flush(args[0]);
    return transport.invoke('live:pause', args);
  };
  live.stop = (...args: unknown[]) => {
    if (typeof args[0] === 'string') transport.liveFrames.end(args[0]);
    return transport.invoke('live:stop', args);
  };
  return api as unknown as EarshotApi;
}
