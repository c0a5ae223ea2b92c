/**
 * Worker-thread entry: runs jobs sent by WorkerPipeline so that decoding and inference never block the main
 * process's event loop (IPC, window, API server). One job at a time; `cancel` aborts it at the next safe point.
 * The API server's model threads use the same entry with `load` and `samples` (already decoded audio).
 */
import { parentPort } from 'node:worker_threads';
import type { Segment } from '../asr/types.ts';
import { toApiError } from '../errors.ts';
import { disposeEngine, runJob } from './engine.ts';
import { loadModelInfo, transcribeSamples } from './samples-job.ts';
import type { WorkerRequest, WorkerResponse } from './worker-protocol.ts';

const port = parentPort;
if (!port) throw new Error('job-worker must run in a worker thread');
const controllers = new Map<string, AbortController>();
/** Per job: fired to end it early with what is transcribed so far (the quota ran out). */
const finishers = new Map<string, AbortController>();
let running: Promise<unknown> = Promise.resolve();
const post = (m: WorkerResponse) => port.postMessage(m);

port.on('message', async (msg: WorkerRequest) => {
  if (msg.type === 'cancel') {
    controllers.get(msg.jobId)?.abort();
    return;
  }
  if (msg.type === 'finish') {
    finishers.get(msg.jobId)?.abort();
    return;
  }
  if (msg.type === 'dispose') {
    // Never release the model under a running inference: stop the job first.
    for (const c of controllers.values()) c.abort();
    await running.catch(() => {});
    await disposeEngine();
    post({ type: 'disposed' });
    return;
  }
  if (msg.type === 'load') {
    await loadModelInfo(msg.request).then(
      (model) => post({ type: 'loaded', model }),
      (e: unknown) => post({ type: 'load-failed', error: toApiError(e) }),
    );
    return;
  }
  if (msg.type === 'samples') {
    const controller = new AbortController();
    controllers.set(msg.jobId, controller);
    try {
      const jobId = msg.jobId;
      const stream = msg.request.streamSegments
        ? {
            segment: (segment: Segment) => post({ type: 'segment', jobId, segment }),
            progress: (fraction: number) => post({ type: 'stage', jobId, stage: 'transcribing', fraction }),
          }
        : undefined;
      const job = transcribeSamples(msg.request, controller.signal, stream);
      running = job;
      post({ type: 'transcript', jobId: msg.jobId, result: await job });
    } catch (e) {
      post({ type: 'error', jobId: msg.jobId, error: toApiError(e) });
    } finally {
      controllers.delete(msg.jobId);
    }
    return;
  }
  const { input } = msg;
  const controller = new AbortController();
  controllers.set(input.jobId, controller);
  const finisher = new AbortController();
  finishers.set(input.jobId, finisher);
  try {
    const job = runJob(input, {
      signal: controller.signal,
      finish: finisher.signal,
      onStage: (stage, fraction) => post({ type: 'stage', jobId: input.jobId, stage, fraction }),
      onDevice: (device) => post({ type: 'device', jobId: input.jobId, device }),
      onDuration: (seconds) => post({ type: 'duration', jobId: input.jobId, seconds }),
      onSegment: (segment) => post({ type: 'segment', jobId: input.jobId, segment }),
      onResume: (fromSeconds) => post({ type: 'resume', jobId: input.jobId, fromSeconds }),
    });
    running = job;
    const output = await job;
    post({ type: 'done', jobId: input.jobId, output });
  } catch (e) {
    post({ type: 'error', jobId: input.jobId, error: toApiError(e) });
  } finally {
    controllers.delete(input.jobId);
    finishers.delete(input.jobId);
  }
});
