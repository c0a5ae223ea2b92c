import { MessageChannelMain, type MessagePortMain, utilityProcess } from 'electron';
import type { LiveResponse, SpawnLiveEngine } from '../core/live/live-protocol.ts';
import { bundledWorkerPath } from '../core/paths.ts';

/** `deliverFrames` hands a recording's window end to the window (or closes it when there is none). */
export function utilityLiveEngine(
  distDir: string,
  deliverFrames: (id: string, port: MessagePortMain) => void,
): SpawnLiveEngine {
  return () => {
    const child = utilityProcess.fork(bundledWorkerPath('live-engine', distDir), [], {
      serviceName: 'Earshot live transcription',
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return {
      post(message) {
        if (message.type !== 'start') return child.postMessage(message);
        const { port1, port2 } = new MessageChannelMain();
        child.postMessage(message, [port1]);
        deliverFrames(message.id, port2);
      },
      onMessage: (listener) => child.on('message', (m: LiveResponse) => listener(m)),
      onExit(listener) {
        child.on('error', (type, location) => listener(`${type} at ${location}`));
        child.on('exit', (code) => listener(`exit ${code}`));
      },
      // After `disposed` (nothing native is running); a process that never started is not waited for long.
      kill: async () => {
        child.kill();
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      },
    };
  };
}
