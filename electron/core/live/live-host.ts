/**
 * The live engine's side of live transcription, Electron-free: it runs the model and takes each recording's audio
 * from that recording's frames port, whose other end is in the window — the frames never pass the main process. It
 * validates every frame (the renderer is not trusted), counts the seconds it accepts and tells its owner, which charges
 * them to the license. The model stays loaded between recordings; audio that arrives while it loads waits in order.
 * Runs in a worker thread (live-worker.ts) or in Electron's utility process (electron/utility/live-engine.ts).
 */
import { loadSpeechModel } from '../asr/load-model.ts';
import type { SpeechModel } from '../asr/types.ts';
import { EarshotError, toApiError } from '../errors.ts';
import {
  LIVE_FRAMES_END,
  LIVE_FRAMES_FLUSH,
  type LiveControlPort,
  type LiveFramesPort,
  type LiveModelChoice,
  type LiveRequest,
  MAX_FRAME_BYTES,
} from './live-protocol.ts';
import { LiveTranscription } from './live-transcription.ts';

/** Per recording: its transcription once the model is ready, and frames received before that. */
interface Session {
  live?: LiveTranscription;
  early: Uint8Array[];
  flush: boolean;
  loading: Promise<void>;
  frames?: LiveFramesPort;
  /** Frames are no longer taken (quota used up, a bad frame, the window ended them). */
  held: boolean;
  /** Resolves when the window has sent its end marker or its end of the port went away. */
  framesEnded: Promise<void>;
  endFrames(): void;
  /** Accepted audio not yet reported as heard, in bytes. */
  unreported: number;
  /** Pause markers from the port whose `flush` on the control link has not come yet, and the reverse. */
  markersAhead: number;
  flushesAhead: number;
}

/** How long a pause waits for its marker on the frames port before deciding without it (a window that sends none). */
const FLUSH_MARKER_WAIT_MS = 1000;

/** A frame's bytes, or undefined when `data` is not 16-bit PCM of a sensible size. */
function pcmOf(data: unknown): Uint8Array | undefined {
  let bytes: Uint8Array;
  if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
  else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  else return undefined;
  return bytes.length > 0 && bytes.length <= MAX_FRAME_BYTES && bytes.length % 2 === 0 ? bytes : undefined;
}

export function runLiveHost(control: LiveControlPort): void {
  const post = control.postMessage.bind(control);
  let cached: { key: string; model: SpeechModel } | undefined;
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

  function start(id: string, choice: LiveModelChoice, frames: LiveFramesPort | undefined): void {
    let endFrames!: () => void;
    const framesEnded = new Promise<void>((resolve) => {
      endFrames = resolve;
    });
    const session: Session = {
      early: [],
      flush: false,
      loading: Promise.resolve(),
      frames,
      held: false,
      framesEnded,
      endFrames,
      unreported: 0,
      markersAhead: 0,
      flushesAhead: 0,
    };
    sessions.set(id, session);
    if (frames) {
      frames.onMessage((data) => onFrame(id, session, data));
      frames.onClose(() => session.endFrames());
    } else {
      session.endFrames();
    }
    session.loading = load(id, session, choice);
  }

  function onFrame(id: string, session: Session, data: unknown): void {
    if (data === LIVE_FRAMES_END) {
      session.endFrames();
      return;
    }
    if (data === LIVE_FRAMES_FLUSH) {
      // In order with the frames: the pause decides everything sent before it.
      if (session.flushesAhead > 0) session.flushesAhead--;
      else session.markersAhead++;
      flush(session);
      return;
    }
    if (session.held || sessions.get(id) !== session) return;
    const pcm = pcmOf(data);
    if (!pcm) {
      session.held = true;
      const error = new EarshotError(
        'INVALID_PARAMETER',
        'The recording stopped: audio frames must be 16-bit PCM at 16 kHz, at most 10 s each',
      );
      post({ type: 'refused', id, error: toApiError(error) });
      return;
    }
    if (session.live) session.live.pushPcm16(pcm);
    else session.early.push(pcm);
    session.unreported += pcm.length;
    const seconds = session.unreported / 2 / 16000;
    if (seconds >= 1) {
      session.unreported = 0;
      post({ type: 'heard', id, seconds });
    }
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
      end(id, session);
      post({ type: 'error', id, error: toApiError(e) });
    }
  }

  function flush(session: Session): void {
    if (session.live) session.live.flush();
    else session.flush = true;
  }

  /** `flush` from the control link: decided by the port's marker when there is a port (waiting for it, briefly). */
  function flushRequested(session: Session): void {
    if (!session.frames) {
      flush(session);
      return;
    }
    if (session.markersAhead > 0) {
      session.markersAhead--; // the marker came first and has decided already
      return;
    }
    session.flushesAhead++;
    setTimeout(() => {
      if (session.flushesAhead === 0) return;
      session.flushesAhead--;
      flush(session);
    }, FLUSH_MARKER_WAIT_MS).unref?.();
  }

  function end(id: string, session: Session): void {
    if (sessions.get(id) === session) sessions.delete(id);
    session.held = true;
    session.frames?.close();
    session.endFrames();
  }

  async function stop(id: string, waitMs: number): Promise<void> {
    const session = sessions.get(id);
    if (!session) return;
    try {
      // The window's last frames may still be on their way (they do not share the control link's queue).
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        session.framesEnded,
        new Promise((resolve) => {
          timer = setTimeout(resolve, waitMs);
        }),
      ]);
      clearTimeout(timer);
      session.held = true;
      if (session.unreported > 0) post({ type: 'heard', id, seconds: session.unreported / 2 / 16000 });
      session.unreported = 0;
      // A recording stopped while the model was still loading still gets its audio transcribed.
      await session.loading;
      if (!session.live) return; // loading failed; the error was posted
      const result = await session.live.stop();
      post({ type: 'stopped', id, result });
    } catch (e) {
      post({ type: 'error', id, error: toApiError(e) });
    } finally {
      end(id, session);
    }
  }

  control.onMessage(async (msg: LiveRequest, frames) => {
    switch (msg.type) {
      case 'start':
        return start(msg.id, msg.model, frames);
      case 'prepare':
        // A failure here is reported by the recording that needs the model.
        return void modelFor(msg.model).catch(() => {});
      case 'flush': {
        const session = sessions.get(msg.id);
        if (session) flushRequested(session);
        return;
      }
      case 'hold': {
        const session = sessions.get(msg.id);
        if (session) session.held = true;
        return;
      }
      case 'stop':
        return stop(msg.id, msg.waitMs);
      case 'cancel': {
        const session = sessions.get(msg.id);
        session?.live?.cancel();
        if (session) end(msg.id, session);
        return;
      }
      case 'dispose':
        for (const [id, s] of sessions) {
          s.live?.cancel();
          track(s.loading);
          if (s.live) track(s.live.settled());
          end(id, s);
        }
        await inFlight;
        await cached?.model.dispose().catch(() => {});
        cached = undefined;
        post({ type: 'disposed' });
    }
  });
}
