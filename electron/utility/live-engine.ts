/**
 * Electron utility-process entry of the live host (electron/core/live/live-host.ts). Live transcription runs in a
 * utility process rather than a worker thread because only a process can take an Electron MessagePortMain: main
 * gives it one end of each recording's MessageChannelMain and the window the other, so the microphone's frames go
 * from the renderer straight here. The control link is `process.parentPort` (main's `UtilityProcess`).
 * Only `process.parentPort` is Electron's here; nothing imports `electron`.
 */
import type { LiveControlPort, LiveFramesPort, LiveRequest } from '../core/live/live-protocol.ts';
import { runLiveHost } from '../core/live/live-host.ts';

function framesPort(port: Electron.MessagePortMain): LiveFramesPort {
  return {
    onMessage(listener) {
      port.on('message', (e) => listener(e.data));
      port.start(); // a MessagePortMain queues messages until started
    },
    onClose: (listener) => port.on('close', listener),
    close: () => port.close(),
  };
}

const parent = process.parentPort;
if (!parent) throw new Error('live-engine must run in an Electron utility process');

const control: LiveControlPort = {
  postMessage: (m) => parent.postMessage(m),
  onMessage: (listener) =>
    parent.on('message', (e) => {
      const port = e.ports[0];
      listener(e.data as LiveRequest, port ? framesPort(port) : undefined);
    }),
};
runLiveHost(control);
