/**
 * The one recording of the window, kept above the screens so that it goes on while the user browses elsewhere and the
 * global shortcut can start or stop it from anywhere. Capture: the microphone feeds an AudioContext at 16 kHz whose
 * worklet posts 100 ms PCM frames (sent to the live transcription), and a MediaRecorder whose Opus/WebM pieces are
 * appended to the recording file in the data folder, one per second.
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { LiveEvent, Segment } from '../../../../electron/contract/api.ts';
import { call, describeError, earshot } from '../../shared/api.ts';
import { useApp } from '../../shared/app-state.tsx';
import { DEVICE_LOST_MESSAGE, MicrophoneError, openMicrophone, rememberedMicrophone, toBase64 } from './microphone.ts';
import workletUrl from './pcm-worklet.ts?worker&url';

export type RecordPhase = 'idle' | 'starting' | 'recording' | 'paused' | 'stopping';

export interface LiveText {
  finals: Segment[];
  interim?: string;
}

interface RecorderState {
  phase: RecordPhase;
  /** Seconds recorded (pauses excluded). */
  elapsed: number;
  /** Peak level of the last 100 ms, 0..1. */
  level: number;
  text: LiveText;
  model?: string;
  error?: string;
  /** The history item of the last recording, once saved. */
  savedId?: string;
  savedInterrupted?: boolean;
  start(): Promise<void>;
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

interface Capture {
  id: string;
  stream: MediaStream;
  context: AudioContext;
  node: AudioWorkletNode;
  recorder: MediaRecorder;
  /** Media pieces are appended in order (audio frames go over their own port: live-frames.ts). */
  mediaWrites: Promise<unknown>;
  off: () => void;
}

const Ctx = createContext<RecorderState | undefined>(undefined);

export function useRecorder(): RecorderState {
  const v = useContext(Ctx);
  if (!v) throw new Error('useRecorder outside RecorderProvider');
  return v;
}

export function RecorderProvider({ children }: { children: ReactNode }) {
  const { navigate } = useApp();
  const [phase, setPhase] = useState<RecordPhase>('idle');
  const [elapsed, setElapsed] = useState(0);
  const [level, setLevel] = useState(0);
  const [text, setText] = useState<LiveText>({ finals: [] });
  const [model, setModel] = useState<string>();
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState<{ id: string; interrupted: boolean }>();
  const capture = useRef<Capture | undefined>(undefined);
  const phaseRef = useRef<RecordPhase>('idle');
  const setBoth = useCallback((p: RecordPhase) => {
    phaseRef.current = p;
    setPhase(p);
  }, []);

  const stop = useCallback(
    async (reason: 'user' | 'device-lost' = 'user') => {
      const c = capture.current;
      if (!c || phaseRef.current === 'stopping') return;
      setBoth('stopping');
      c.node.port.postMessage({ recording: false });
      // The recorder hands over its last piece before 'stop'.
      if (c.recorder.state !== 'inactive') {
        await new Promise<void>((resolve) => {
          c.recorder.addEventListener('stop', () => resolve(), { once: true });
          c.recorder.stop();
        });
      }
      for (const t of c.stream.getTracks()) t.stop();
      await c.mediaWrites.catch(() => {});
      void c.context.close().catch(() => {});
      try {
        const t = await call(earshot().live.stop(c.id, reason));
        if (t) setSaved({ id: t.id, interrupted: reason !== 'user' || /\(interrupted\)$/.test(t.title) });
      } catch (e) {
        setError(describeError(e));
      } finally {
        c.off();
        capture.current = undefined;
        setLevel(0);
        setBoth('idle');
      }
    },
    [setBoth],
  );

  const onEvent = useCallback(
    (e: LiveEvent) => {
      if (e.id !== capture.current?.id) return;
      if (e.type === 'ready') setModel(e.model);
      else if (e.type === 'interim') setText((t) => ({ ...t, interim: e.text }));
      else if (e.type === 'final') setText((t) => ({ finals: [...t.finals, ...e.segments] }));
      else if (e.type === 'error') {
        // The core stopped taking this recording (disk full, quota...): save what there is and say why.
        setError(e.error.message);
        void stop('user');
      }
    },
    [stop],
  );

  const start = useCallback(async () => {
    if (phaseRef.current !== 'idle') return;
    setBoth('starting');
    setError(undefined);
    setSaved(undefined);
    setText({ finals: [] });
    setElapsed(0);
    let stream: MediaStream | undefined;
    let context: AudioContext | undefined;
    let sessionId: string | undefined;
    try {
      // The audio graph is ready before the microphone opens, and the core prepares the recording meanwhile, so
      // recording starts the moment the microphone delivers.
      context = new AudioContext({ sampleRate: 16000 });
      await context.audioWorklet.addModule(workletUrl);
      const [mic, started] = await Promise.allSettled([
        openMicrophone(rememberedMicrophone()),
        call(earshot().live.start()),
      ]);
      if (started.status === 'fulfilled') sessionId = started.value.id;
      if (mic.status === 'fulfilled') stream = mic.value;
      if (mic.status === 'rejected') throw mic.reason;
      if (started.status === 'rejected') throw started.reason;
      if (!stream) throw new Error('The microphone could not be opened.');
      const session = started.value;
      setModel(session.model);
      const node = new AudioWorkletNode(context, 'earshot-pcm-frames', { numberOfOutputs: 1 });
      // A silent path to the output keeps the graph pulling the worklet.
      const mute = context.createGain();
      mute.gain.value = 0;
      context.createMediaStreamSource(stream).connect(node).connect(mute).connect(context.destination);
      const recorder = new MediaRecorder(stream, { mimeType: 'audio/webm;codecs=opus' });
      const offEvents = earshot().live.onEvent(onEvent);
      const c: Capture = {
        id: session.id,
        stream,
        context,
        node,
        recorder,
        mediaWrites: Promise.resolve(),
        off: offEvents,
      };
      capture.current = c;
      let samples = 0;
      node.port.onmessage = (m: MessageEvent<{ pcm: ArrayBuffer; peak: number }>) => {
        if (phaseRef.current !== 'recording') return;
        samples += m.data.pcm.byteLength / 2;
        setElapsed(samples / 16000);
        setLevel(m.data.peak);
        // Straight to the live engine over the recording's own port (not through the main process).
        earshot().live.audio(c.id, m.data.pcm);
      };
      recorder.ondataavailable = (m) => {
        if (m.data.size === 0) return;
        c.mediaWrites = c.mediaWrites.then(async () => {
          const r = await earshot().live.media(c.id, toBase64(new Uint8Array(await m.data.arrayBuffer())));
          if (!r.ok) throw new Error(r.error.message);
        });
        c.mediaWrites.catch(() => {}); // the core reports its own failures as an event
      };
      for (const track of stream.getAudioTracks()) {
        track.addEventListener('ended', () => {
          if (capture.current !== c || phaseRef.current === 'stopping') return;
          setError(DEVICE_LOST_MESSAGE);
          void stop('device-lost');
        });
      }
      recorder.start(1000);
      setBoth('recording');
      if (context.state === 'suspended') await context.resume();
    } catch (e) {
      for (const t of stream?.getTracks() ?? []) t.stop();
      void context?.close().catch(() => {});
      const c = capture.current;
      if (c) {
        capture.current = undefined;
        c.off();
      }
      // Nothing was recorded: the core discards the recording (no history item).
      if (sessionId) await earshot().live.stop(sessionId);
      setError(e instanceof MicrophoneError ? e.message : describeError(e));
      setBoth('idle');
    }
  }, [onEvent, stop, setBoth]);

  const pause = useCallback(() => {
    const c = capture.current;
    if (!c || phaseRef.current !== 'recording') return;
    c.node.port.postMessage({ recording: false });
    c.recorder.pause();
    setBoth('paused');
    setLevel(0);
    void earshot().live.pause(c.id);
  }, [setBoth]);

  const resume = useCallback(() => {
    const c = capture.current;
    if (!c || phaseRef.current !== 'paused') return;
    c.node.port.postMessage({ recording: true });
    c.recorder.resume();
    setBoth('recording');
  }, [setBoth]);

  // The global shortcut (main process) toggles recording from anywhere and shows the Record screen.
  useEffect(
    () =>
      earshot().app.onCommand((cmd) => {
        if (cmd.type !== 'toggleRecording') return;
        navigate({ name: 'record' });
        if (phaseRef.current === 'idle') void start();
        else void stop();
      }),
    [navigate, start, stop],
  );

  const value = useMemo<RecorderState>(
    () => ({
      phase,
      elapsed,
      level,
      text,
      model,
      error,
      savedId: saved?.id,
      savedInterrupted: saved?.interrupted,
      start,
      pause,
      resume,
      stop: () => stop('user'),
    }),
    [phase, elapsed, level, text, model, error, saved, start, pause, resume, stop],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}
