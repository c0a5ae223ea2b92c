/**
 * Worker-thread entry of the live host (live-host.ts) outside Electron: the tests, and any Node host of the core.
 * The Electron app runs the same host in a utility process instead (electron/utility/live-engine.ts), because a
 * renderer's MessagePort can reach a utility process but not a worker thread.
 */
import { parentPort } from 'node:worker_threads';
import { runLiveHost } from './live-host.ts';
import { threadControlPort } from './live-thread.ts';

if (!parentPort) throw new Error('live-worker must run in a worker thread');
runLiveHost(threadControlPort(parentPort));
