/**
 * First run, step 2: a real model in one click. The core recommends one for this computer (memory, cores, the devices
 * that really load); the button downloads it with progress. The bundled demo model stays as the offline fallback and
 * is labelled as what it is — it is not "ready to use" for real recordings.
 */
import { useEffect, useState } from 'react';
import type { ModelDownloadProgress, ModelRecommendation, ModelView } from '../../../../electron/contract/api.ts';
import { call, describeError, earshot } from '../../shared/api.ts';
import { useApp } from '../../shared/app-state.tsx';
import { bytes, eta } from '../../shared/format.ts';

export function ModelStep() {
  const { navigate } = useApp();
  const [rec, setRec] = useState<ModelRecommendation>();
  const [models, setModels] = useState<ModelView[]>();
  const [progress, setProgress] = useState<ModelDownloadProgress>();
  const [error, setError] = useState<string>();

  const load = () =>
    Promise.all([call(earshot().models.recommend()), call(earshot().models.list())])
      .then(([r, m]) => {
        setRec(r);
        setModels(m);
      })
      .catch((e) => setError(describeError(e)));
  // biome-ignore lint/correctness/useExhaustiveDependencies: load and subscribe once
  useEffect(() => {
    void load();
    return earshot().models.onProgress((p) => {
      setProgress((current) => (current && p.modelId === current.modelId ? p : current));
      if (p.state === 'installed') void load();
      if (p.state === 'failed') setError(p.error ? describeError(p.error) : 'The download failed');
    });
  }, []);

  const demo = models?.find((m) => m.bundled && m.transcribes);
  const ready = rec && (rec.installed || models?.some((m) => m.id === rec.id && m.installed));
  const realDefault = models?.find((m) => m.isDefault && !m.bundled);
  const downloading = progress && (progress.state === 'downloading' || progress.state === 'verifying');
  const pct = progress ? Math.round((progress.receivedBytes / Math.max(1, progress.totalBytes)) * 100) : 0;

  const download = async () => {
    if (!rec) return;
    setError(undefined);
    setProgress({
      modelId: rec.id,
      receivedBytes: 0,
      totalBytes: rec.sizeBytes ?? 0,
      bytesPerSecond: 0,
      state: 'downloading',
    });
    try {
      await call(earshot().models.pull(rec.id, rec.variant));
    } catch (e) {
      setProgress(undefined);
      setError(describeError(e));
    }
  };

  return (
    <div className="step-body" data-testid="model-step">
      <h2>Get a speech model</h2>
      {realDefault || ready ? (
        <p data-testid="model-ready">
          Ready: <strong>{realDefault?.name ?? rec?.name}</strong> will transcribe your recordings.
        </p>
      ) : rec && !rec.id.startsWith('demo') ? (
        <>
          <button type="button" className="btn btn-primary" onClick={download} disabled={downloading}>
            Download {rec.name}
            {rec.sizeBytes ? ` (${bytes(rec.sizeBytes)})` : ''} — recommended for this computer
          </button>
          <p className="muted small">{rec.reason}.</p>
          {downloading && (
            <div className="model-progress">
              <div
                className="progress progress-thin"
                role="progressbar"
                aria-label={`Downloading ${rec.name}`}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={pct}
              >
                <div className="progress-bar" style={{ width: `${pct}%` }} />
              </div>
              <span className="small muted" data-testid="model-step-progress">
                {progress.state === 'verifying'
                  ? 'Verifying…'
                  : `${bytes(progress.receivedBytes)} of ${bytes(progress.totalBytes)} · ${eta(progress.etaSeconds)}`}
              </span>
            </div>
          )}
        </>
      ) : (
        <p className="muted">{rec ? rec.reason : 'Checking this computer…'}</p>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {demo && !realDefault && !ready && (
        <p className="small muted" data-testid="demo-fallback">
          Offline fallback: <strong>{demo.name}</strong> is built in and works without internet, but it was trained on
          synthetic voices — fine for a first try, not for real recordings.
        </p>
      )}
      <button
        type="button"
        className="btn btn-ghost btn-small"
        onClick={() => navigate({ name: 'settings', section: 'models' })}
      >
        Choose another model…
      </button>
    </div>
  );
}
