/**
 * Worker-thread entry for live transcription: microphone frames come here straight from their owner and the model
 * runs here, so neither decoding nor inference ever holds the main process's event loop. The model stays loaded
 * between recordings; audio that arrives while it loads waits in order.
 */
import { parentPort } from 'node:worker_threads';
import { loadSpeechModel } from '../asr/load-model.ts';
import type { SpeechModel } from '../asr/types.ts';
import { toApiError } from '../errors.ts';
import type { LiveModelChoice, LiveRequest, LiveResponse } from './live-protocol.ts';
import { LiveTranscription } from './live-transcription.ts';

const port = parentPort;
if (!port) throw new Error('live-worker must run in a worker thread');
const post = (m: LiveResponse) => port.postMessage(m);

let cached: { key: string; model: SpeechModel } | undefined;
/** Per recording: its transcription once the model is ready, and frames received before that. */
interface Session {
  live?: LiveTranscription;
  early: Uint8Array[];
  flush: boolean;
  loading: Promise<void>;
}
const sessions = new Map<string, Session>();
/** Model loads and model runs in flight: `dispose` waits for them, since ending the thread inside one aborts it. */
let inFlight: Promise<unknown> = Promise.resolve();
const track = <T>(work: Promise<T>): Promise<T> => {
  inFlight = Promise.allSettled([inFlight, work]);
  return work;
};

async function modelFor(choice: LiveModelChoice): Promise<SpeechModel> {
  const key = JSON.stringify([choice.modelDir, choice.device, choice.threads ?? 0]);
  if (cached?.key === key) return cached.model;
  await cached?.model.dispose().catch(() => {});
  cached = undefined;
  const model = await track(
    loadSpeechModel(choice.modelDir, { device: choice.device, threads: choice.threads || undefined }),
  );
  cached = { key, model };
  return model;
}

function start(id: string, choice: LiveModelChoice): void {
  const session: Session = { early: [], flush: false, loading: Promise.resolve() };
  sessions.set(id, session);
  session.loading = load(id, session, choice);
}

async function load(id: string, session: Session, choice: LiveModelChoice): Promise<void> {
  try {
    const model = await modelFor(choice);
    if (sessions.get(id) !== session) return;
    session.live = new LiveTranscription(
      model,
      { language: choice.language },
      {
        onInterim: (interim) => post({ type: 'interim', id, interim }),
        onFinal: (final) => post({ type: 'final', id, final }),
      },
    );
    post({ type: 'ready', id, model: model.name, device: model.device });
    for (const frame of session.early.splice(0)) session.live.pushPcm16(frame);
    if (session.flush) session.live.flush();
  } catch (e) {
    sessions.delete(id);
    post({ type: 'error', id, error: toApiError(e) });
  }
}

async function stop(id: string): Promise<void> {
  const session = sessions.get(id);
  if (!session) return;
  try {
    // A recording stopped while the model was still loading still gets its audio transcribed.
    await session.loading;
    if (!session.live) return; // loading failed; the error was posted
    const result = await session.live.stop();
    post({ type: 'stopped', id, result });
  } catch (e) {
    post({ type: 'error', id, error: toApiError(e) });
  } finally {
    sessions.delete(id);
  }
}

port.on('message', async (msg: LiveRequest) => {
  switch (msg.type) {
    case 'start':
      return start(msg.id, msg.model);
    case 'prepare':
      // A failure here is reported by the recording that needs the model.
      return void modelFor(msg.model).catch(() => {});
    case 'audio': {
      const session = sessions.get(msg.id);
      const frame = new Uint8Array(msg.pcm);
      if (session?.live) session.live.pushPcm16(frame);
      else session?.early.push(frame);
      return;
    }
    case 'flush': {
      const session = sessions.get(msg.id);
      if (session?.live) session.live.flush();
      else if (session) session.flush = true;
      return;
    }
    case 'stop':
      return stop(msg.id);
    case 'cancel':
      sessions.get(msg.id)?.live?.cancel();
      sessions.delete(msg.id);
      return;
    case 'dispose':
      for (const s of sessions.values()) {
        s.live?.cancel();
        track(s.loading);
        if (s.live) track(s.live.settled());
      }
      sessions.clear();
      await inFlight;
      await cached?.model.dispose().catch(() => {});
      cached = undefined;
      post({ type: 'disposed' });
  }
});
