import { useEffect, useState } from 'react';
import { describeError } from '../../shared/api.ts';
import { useToast } from '../../shared/toast.tsx';
import type { ModelView } from '../../../../electron/contract/api.ts';
import { call, earshot } from '../../shared/api.ts';
import { useApp } from '../../shared/app-state.tsx';
import { Icon } from '../../shared/icons.tsx';
import { LicenseBanner } from '../license/LicenseBanner.tsx';
import { AddMedia } from './AddMedia.tsx';
import { ExportAll } from './ExportAll.tsx';
import { GpuNotice, JobList } from './JobList.tsx';

export function QueueView() {
  const { jobs, navigate, setJobs } = useApp();
  const notify = useToast();
  const [model, setModel] = useState<ModelView>();
  const [paused, setPaused] = useState(false);
  const [exporting, setExporting] = useState(false);
  useEffect(() => {
    void call(earshot().models.list()).then((m) => setModel(m.find((x) => x.isDefault)));
    void call(earshot().jobs.isPaused()).then(setPaused);
  }, []);
  const finished = jobs.filter((j) => j.stage === 'done');
  const waiting = jobs.filter((j) => ['queued', 'downloading', 'decoding', 'transcribing'].includes(j.stage));
  const act = (fn: () => Promise<unknown>) => async () => {
    try {
      await fn();
    } catch (e) {
      notify(describeError(e), { tone: 'error' });
    }
  };
  const clearFinished = act(async () => {
    for (const j of finished) await call(earshot().jobs.remove(j.id));
    const gone = new Set(finished.map((j) => j.id));
    setJobs((list) => list.filter((j) => !gone.has(j.id)));
  });
  // Queued ones first, so that cancelling the running job does not start the next one.
  const cancelAll = act(async () => {
    const order = [...waiting].sort((a, b) => Number(a.stage !== 'queued') - Number(b.stage !== 'queued'));
    for (const j of order) await call(earshot().jobs.cancel(j.id));
  });
  const togglePause = act(async () => setPaused(await call(earshot().jobs.setPaused(!paused))));
  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Transcribe</h1>
          <p className="muted">Everything runs on this computer. Nothing is uploaded.</p>
        </div>
        {model && (
          <button
            type="button"
            className="model-chip"
            onClick={() => navigate({ name: 'settings', section: 'models' })}
          >
            <Icon name="chip" size={14} /> {model.name}
          </button>
        )}
      </header>
      <LicenseBanner />
      {model?.notice && (
        <div className="callout callout-info" data-testid="model-notice">
          <Icon name="alert" />
          <div>{model.notice}</div>
        </div>
      )}
      <AddMedia compact={jobs.length > 0} />
      <section aria-labelledby="queue-heading" className="queue">
        <div className="section-head">
          <h2 id="queue-heading">Queue</h2>
          {finished.length > 0 && <span className="muted small">{finished.length} finished</span>}
          {paused && (
            <span className="badge badge-warn" role="status">
              Paused
            </span>
          )}
          <div className="queue-actions">
            <button type="button" className="btn btn-small" aria-pressed={paused} onClick={togglePause}>
              {paused ? 'Resume' : 'Pause'}
            </button>
            <button type="button" className="btn btn-small" disabled={waiting.length === 0} onClick={cancelAll}>
              Cancel all
            </button>
            <button
              type="button"
              className="btn btn-small"
              disabled={finished.length === 0}
              aria-expanded={exporting}
              onClick={() => setExporting((x) => !x)}
            >
              Export all…
            </button>
            <button type="button" className="btn btn-small" disabled={finished.length === 0} onClick={clearFinished}>
              Clear finished
            </button>
          </div>
        </div>
        {exporting && <ExportAll jobs={jobs} onClose={() => setExporting(false)} />}
        <GpuNotice jobs={jobs} />
        <JobList />
      </section>
    </div>
  );
}
