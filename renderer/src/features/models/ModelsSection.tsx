/** Installed and downloadable models: which is the default, honest notices, downloads with progress and ETA. */
import { useEffect, useState } from 'react';
import type { ModelDownloadProgress, ModelView } from '../../../../electron/contract/api.ts';
import { call, describeError, earshot } from '../../shared/api.ts';
import { bytes, eta } from '../../shared/format.ts';
import { useToast } from '../../shared/toast.tsx';

export function ModelsSection() {
  const notify = useToast();
  const [models, setModels] = useState<ModelView[]>();
  const [progress, setProgress] = useState<Record<string, ModelDownloadProgress>>({});
  const load = () =>
    call(earshot().models.list())
      .then(setModels)
      .catch((e) => notify(describeError(e), { tone: 'error' }));
  // biome-ignore lint/correctness/useExhaustiveDependencies: load and subscribe once on open
  useEffect(() => {
    void load();
    return earshot().models.onProgress((p) => {
      setProgress((all) => ({ ...all, [p.modelId]: p }));
      if (p.state === 'installed' || p.state === 'failed') void load();
    });
  }, []);
  const act = (fn: () => Promise<unknown>) => async () => {
    try {
      await fn();
      await load();
    } catch (e) {
      notify(describeError(e), { tone: 'error' });
    }
  };
  if (!models) return <p className="muted">Loading models…</p>;
  return (
    <ul className="model-list">
      {models.map((m) => {
        const p = progress[m.id];
        const downloading = p && (p.state === 'downloading' || p.state === 'verifying');
        return (
          <li key={m.id} className={`model${m.isDefault ? ' model-default' : ''}`} data-testid="model">
            <div className="model-info">
              <div className="model-name">
                {m.name}
                {m.isDefault && <span className="badge badge-accent">Default</span>}
                {m.bundled && <span className="badge">Bundled</span>}
                <span className="badge">{FAMILY_LABELS[m.family]}</span>
                <WordTimingBadge timing={m.wordTiming} />
              </div>
              <p className="muted small">
                {m.languages.slice(0, 6).join(', ')}
                {m.languages.length > 6 && ` +${m.languages.length - 6}`}
                {m.sizeBytes ? ` · ${bytes(m.sizeBytes)}` : ''}
                {m.description ? ` · ${m.description}` : ''}
              </p>
              {m.notice && (
                <p className="notice-inline small" data-testid="model-notice">
                  {m.notice}
                </p>
              )}
              {downloading && (
                <div className="model-progress">
                  <div
                    className="progress progress-thin"
                    role="progressbar"
                    aria-label={`Downloading ${m.name}`}
                    aria-valuemin={0}
                    aria-valuemax={100}
                    aria-valuenow={Math.round((p.receivedBytes / Math.max(1, p.totalBytes)) * 100)}
                  >
                    <div
                      className="progress-bar"
                      style={{ width: `${(p.receivedBytes / Math.max(1, p.totalBytes)) * 100}%` }}
                    />
                  </div>
                  <span className="small muted">
                    {p.state === 'verifying'
                      ? 'Verifying…'
                      : `${bytes(p.receivedBytes)} of ${bytes(p.totalBytes)} · ${bytes(p.bytesPerSecond)}/s · ${eta(p.etaSeconds)}`}
                  </span>
                </div>
              )}
              {p?.notice && p.state !== 'failed' && (
                <p className="notice-inline small" data-testid="model-download-notice">
                  {p.notice}
                </p>
              )}
              {p?.state === 'failed' && p.error && <p className="field-error small">{describeError(p.error)}</p>}
            </div>
            <div className="row-actions">
              {m.installed && !m.isDefault && m.transcribes && (
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={act(() => call(earshot().models.setDefault(m.id)))}
                >
                  Use by default
                </button>
              )}
              {!m.installed && m.bundled && <span className="small muted">Not included in this build</span>}
              {!m.installed && !m.bundled && !downloading && (
                <button
                  type="button"
                  className="btn btn-small btn-primary"
                  onClick={act(() => call(earshot().models.pull(m.id)))}
                >
                  Download
                </button>
              )}
              {downloading && (
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={act(() => call(earshot().models.cancelPull(m.id)))}
                >
                  Cancel
                </button>
              )}
              {m.installed && !m.bundled && (
                <button
                  type="button"
                  className="btn btn-small btn-ghost btn-danger"
                  onClick={act(() => call(earshot().models.remove(m.id)))}
                >
                  Remove
                </button>
              )}
            </div>
          </li>
        );
      })}
    </ul>
  );
}

/** Diarization models (speaker labels) are listed with the transcription models but are never "the" model. */
const FAMILY_LABELS: Record<ModelView['family'], string> = {
  whisper: 'Whisper',
  ctc: 'CTC',
  pyannote: 'Speakers · segmentation',
  wespeaker: 'Speakers · voices',
};

/** Whether the player, highlighting and subtitles get word times found on the audio or spread over the segment. */
function WordTimingBadge({ timing }: { timing: ModelView['wordTiming'] }) {
  if (!timing) return null;
  const aligned = timing === 'aligned';
  return (
    <span
      className="badge"
      data-testid="word-timing"
      title={
        aligned
          ? 'Word times are aligned on the audio (the model exports its cross-attention).'
          : 'Word times are spread over each segment by length: close, not exact.'
      }
    >
      {aligned ? 'Exact word times' : 'Approximate word times'}
    </span>
  );
}
