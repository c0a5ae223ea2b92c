/**
 * The live engine in a Node worker thread, over worker_threads ports (the tests and non-Electron hosts). A `start`
 * opens a MessageChannel: one end goes to the thread with the request, the other to `deliverFrames`, which hands it
 * to whatever plays the window (a test, or the e2e harness's page binding). Frames posted on that end reach the
 * thread directly, not through the owner's event loop.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { startWorker } from '../jobs/worker-pipeline.ts';
import { appRoot } from '../paths.ts';
import type { LiveControlPort, LiveFramesPort, LiveRequest, LiveResponse, SpawnLiveEngine } from './live-protocol.ts';

/** Control messages travel as an envelope, since worker_threads sends transferred ports inside the message. */
interface Envelope {
  message: LiveRequest;
  frames?: MessagePort;
}

/** The worker script: the .ts source when running from sources (tsx), the bundled .js in a build. */
function liveWorkerPath(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return path.join(path.dirname(here), 'live-worker.ts');
  const bundled = path.join(appRoot(), 'dist', 'workers', 'live-worker.js');
  const unpacked = bundled.replace(`${path.sep}app.asar${path.sep}`, `${path.sep}app.asar.unpacked${path.sep}`);
  if (unpacked !== bundled && existsSync(unpacked)) return unpacked;
  return bundled;
}

export function threadFramesPort(port: MessagePort): LiveFramesPort {
  return {
    onMessage: (listener) => port.on('message', listener),
    onClose: (listener) => port.on('close', listener),
    close: () => port.close(),
  };
}

/** The thread's side of the control link (live-worker.ts). */
export function threadControlPort(port: MessagePort): LiveControlPort {
  return {
    postMessage: (m) => port.postMessage(m),
    onMessage: (listener) =>
      port.on('message', (e: Envelope) => listener(e.message, e.frames ? threadFramesPort(e.frames) : undefined)),
  };
}

/**
 * `deliverFrames` gets each recording's window end of its frames channel; without one (no window), the end is
 * closed and the recording gets no audio.
 */
export function threadLiveEngine(
  deliverFrames: (id: string, port: MessagePort) => void = (_id, port) => port.close(),
): SpawnLiveEngine {
  return () => {
    const worker = startWorker(liveWorkerPath());
    worker.unref();
    return {
      post(message) {
        if (message.type !== 'start') return worker.postMessage({ message } satisfies Envelope);
        const { port1, port2 } = new MessageChannel();
        worker.postMessage({ message, frames: port1 } satisfies Envelope, [port1]);
        deliverFrames(message.id, port2);
      },
      onMessage: (listener) => worker.on('message', (m: LiveResponse) => listener(m)),
      onExit(listener) {
        worker.on('error', (e) => listener(e.message));
        worker.on('exit', (code) => listener(`exit ${code}`));
      },
      kill: async () => {
        await worker.terminate();
      },
    };
  };
}
