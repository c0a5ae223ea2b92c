import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { startWorker } from '../jobs/worker-pipeline.ts';
import { workerScriptPath } from '../paths.ts';
import type { LiveControlPort, LiveFramesPort, LiveRequest, LiveResponse, SpawnLiveEngine } from './live-protocol.ts';

/** Control messages travel as an envelope, since worker_threads sends transferred ports inside the message. */
interface Envelope {
  message: LiveRequest;
  frames?: MessagePort;
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
    const worker = startWorker(workerScriptPath(import.meta.url, 'live-worker'));
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
