import { useEffect, useState } from 'react';
import type { ModelView } from '../../../../electron/contract/api.ts';
import { call, earshot } from '../../shared/api.ts';
import { useApp } from '../../shared/app-state.tsx';
import { Icon } from '../../shared/icons.tsx';
import { LicenseBanner } from '../license/LicenseBanner.tsx';
import { AddMedia } from './AddMedia.tsx';
import { JobList } from './JobList.tsx';

export function QueueView() {
  const { jobs, navigate } = useApp();
  const [model, setModel] = useState<ModelView>();
  useEffect(() => {
    void call(earshot().models.list()).then((m) => setModel(m.find((x) => x.isDefault)));
  }, []);
  const finished = jobs.filter((j) => j.stage === 'done').length;
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
      <AddMedia />
      <section aria-labelledby="queue-heading" className="queue">
        <div className="section-head">
          <h2 id="queue-heading">Queue</h2>
          {finished > 0 && <span className="muted small">{finished} finished</span>}
        </div>
        <JobList />
      </section>
    </div>
  );
}
