import { useCallback, useEffect, useState } from 'react';
import { earshot } from '../../shared/api.ts';
import { useApp } from '../../shared/app-state.tsx';
import { clock } from '../../shared/format.ts';
import { Icon } from '../../shared/icons.tsx';
import { LicenseBanner } from '../license/LicenseBanner.tsx';
import { listMicrophones, type Microphone, rememberedMicrophone, rememberMicrophone } from './microphone.ts';
import { InterruptedRecordings } from './InterruptedRecordings.tsx';
import { useRecorder } from './recorder.tsx';
import './record.css';

/** The Record screen: microphone choice, start/pause/stop, level and time, and the text as it is recognised. */
export function RecordView() {
  const r = useRecorder();
  const { navigate } = useApp();
  const [mics, setMics] = useState<Microphone[]>([]);
  const [mic, setMic] = useState(rememberedMicrophone);
  const busy = r.phase !== 'idle';

  // The model loads while the user gets ready, so the first words are not kept waiting.
  useEffect(() => void earshot().live.prepare(), []);
  const refresh = useCallback(() => void listMicrophones().then(setMics), []);
  useEffect(() => {
    refresh();
    navigator.mediaDevices?.addEventListener('devicechange', refresh);
    return () => navigator.mediaDevices?.removeEventListener('devicechange', refresh);
  }, [refresh]);
  // Device names are only readable once the microphone was opened once.
  useEffect(() => {
    if (r.phase === 'recording') refresh();
  }, [r.phase, refresh]);

  const choose = (id: string) => {
    setMic(id);
    rememberMicrophone(id);
  };
  const remembered = mic && mics.some((m) => m.id === mic) ? mic : '';

  return (
    <div className="page record-page">
      <header className="page-head">
        <div>
          <h1>Record</h1>
          <p className="muted">
            Speak and see the text appear. The recording and its transcript stay on this computer.
          </p>
        </div>
      </header>
      <LicenseBanner />
      <section className="record-controls" aria-label="Recording">
        <div className="field">
          <label htmlFor="microphone">Microphone</label>
          <select id="microphone" value={remembered} disabled={busy} onChange={(e) => choose(e.target.value)}>
            <option value="">System default</option>
            {mics.map((m) => (
              <option key={m.id} value={m.id}>
                {m.label}
              </option>
            ))}
          </select>
        </div>
        <div className="record-buttons">
          {r.phase === 'idle' || r.phase === 'starting' ? (
            <button
              type="button"
              className="btn btn-primary record-start"
              disabled={busy}
              onClick={() => void r.start()}
            >
              <span className="record-dot" aria-hidden="true" />{' '}
              {r.phase === 'starting' ? 'Starting…' : 'Start recording'}
            </button>
          ) : (
            <>
              {r.phase === 'paused' ? (
                <button type="button" className="btn" onClick={r.resume}>
                  <Icon name="play" /> Resume
                </button>
              ) : (
                <button type="button" className="btn" onClick={r.pause} disabled={r.phase === 'stopping'}>
                  <Icon name="pause" /> Pause
                </button>
              )}
              <button
                type="button"
                className="btn btn-danger"
                onClick={() => void r.stop()}
                disabled={r.phase === 'stopping'}
              >
                <span className="record-square" aria-hidden="true" /> {r.phase === 'stopping' ? 'Saving…' : 'Stop'}
              </button>
            </>
          )}
        </div>
        <div className="record-status">
          <span className="record-time" role="timer" data-testid="record-elapsed" aria-label="Recorded time">
            {clock(r.elapsed)}
          </span>
          <meter
            className="level-meter"
            aria-label="Input level"
            min={0}
            max={1}
            value={Math.sqrt(r.level)}
            data-testid="level-meter"
          />
          <span className="muted small" data-testid="record-phase">
            {r.phase === 'recording'
              ? 'Recording'
              : r.phase === 'paused'
                ? 'Paused'
                : r.phase === 'stopping'
                  ? 'Saving'
                  : ''}
            {r.model && busy ? ` · ${r.model}` : ''}
          </span>
        </div>
        <p className="muted small">Shortcut: Ctrl+Shift+R (⌘⇧R on macOS) starts or stops a recording from anywhere.</p>
      </section>
      {r.error && (
        <div className="callout callout-error" role="alert" data-testid="record-error">
          <Icon name="alert" />
          <div className="callout-body">{r.error}</div>
        </div>
      )}
      {r.savedId && (
        <div className="callout callout-info" data-testid="record-saved">
          <Icon name="check" />
          <div className="callout-body">
            {r.savedInterrupted ? 'The interrupted recording was saved.' : 'The recording was saved to your history.'}
          </div>
          <button type="button" className="btn" onClick={() => navigate({ name: 'transcript', id: r.savedId! })}>
            Open transcript
          </button>
        </div>
      )}
      <section className="live-transcript" aria-labelledby="live-heading">
        <h2 id="live-heading">Live transcript</h2>
        <div className="live-text" aria-live="polite" data-testid="live-text">
          {r.text.finals.length === 0 && !r.text.interim && (
            <p className="muted">{busy ? 'Listening…' : 'Start a recording to see its text here.'}</p>
          )}
          {r.text.finals.map((s) => (
            <span key={`${s.id}-${s.start}`} className="live-final" data-testid="live-final">
              {s.text.trim()}{' '}
            </span>
          ))}
          {r.text.interim && (
            <span className="live-interim" data-testid="live-interim" title="Provisional: may still change">
              {r.text.interim}
            </span>
          )}
        </div>
      </section>
      <InterruptedRecordings refreshKey={r.savedId} />
    </div>
  );
}
