/**
 * The live engine in an Electron utility process (electron/utility/live-engine.ts). For each recording, main opens a
 * MessageChannelMain: one end goes to the utility process with the `start` request, the other to the window (the
 * preload), so microphone frames go renderer → utility process without passing this process's event loop. Main only
 * sees the control messages (start, stop, the text coming back).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { MessageChannelMain, type MessagePortMain, utilityProcess } from 'electron';
import type { LiveResponse, SpawnLiveEngine } from '../core/live/live-protocol.ts';

function enginePath(distDir: string): string {
  const bundled = path.join(distDir, 'workers', 'live-engine.js');
  const unpacked = bundled.replace(`${path.sep}app.asar${path.sep}`, `${path.sep}app.asar.unpacked${path.sep}`);
  return unpacked !== bundled && existsSync(unpacked) ? unpacked : bundled;
}

/** `deliverFrames` hands a recording's window end to the window (or closes it when there is none). */
export function utilityLiveEngine(
  distDir: string,
  deliverFrames: (id: string, port: MessagePortMain) => void,
): SpawnLiveEngine {
  return () => {
    const child = utilityProcess.fork(enginePath(distDir), [], { serviceName: 'Earshot live transcription' });
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
