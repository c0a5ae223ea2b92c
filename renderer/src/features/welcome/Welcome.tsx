/** First run: three short steps to a working transcript — a key, a model, a file. */
import { useState } from 'react';
import { earshot } from '../../shared/api.ts';
import { useApp } from '../../shared/app-state.tsx';
import { Icon } from '../../shared/icons.tsx';
import { LicenseCard } from '../license/LicenseCard.tsx';
import { ModelStep } from './ModelStep.tsx';

function baseName(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}

export function Welcome() {
  const { dropped, setDropped } = useApp();
  const [over, setOver] = useState(false);
  return (
    <div className="page welcome" data-testid="welcome">
      <header className="hero">
        <span className="hero-mark" aria-hidden="true">
          <Icon name="wave" size={34} />
        </span>
        <h1>Welcome to Earshot</h1>
        <p className="lead">
          Private transcription that runs entirely on this computer. Three steps and you are ready.
        </p>
      </header>
      <ol className="steps">
        <li className="step">
          <div className="step-num" aria-hidden="true">
            1
          </div>
          <div className="step-body">
            <h2>Paste your license key</h2>
            <p className="muted">It is checked on this computer, instantly — no account, no internet needed.</p>
            <LicenseCard compact />
          </div>
        </li>
        <li className="step">
          <div className="step-num" aria-hidden="true">
            2
          </div>
          <ModelStep />
        </li>
        <li className="step">
          <div className="step-num" aria-hidden="true">
            3
          </div>
          {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop target; the window-wide drop handler does the work */}
          <div
            className={`step-body step-drop${over ? ' over' : ''}`}
            data-testid="dropzone"
            onDragOver={(e) => {
              e.preventDefault();
              setOver(true);
            }}
            onDragLeave={() => setOver(false)}
            onDrop={(e) => {
              e.preventDefault();
              e.stopPropagation();
              setOver(false);
              const paths = [...e.dataTransfer.files].map((f) => earshot().system.pathForFile(f)).filter(Boolean);
              if (paths.length) setDropped([...dropped, ...paths]);
            }}
          >
            <h2>Drop a recording here</h2>
            <p className="muted">
              Audio or video, one file or a whole folder. You will see progress and the time left.
            </p>
            {dropped.length > 0 && (
              <p className="callout callout-info" role="status" data-testid="welcome-waiting">
                {dropped.length === 1 ? `${baseName(dropped[0])} is` : `${dropped.length} files are`} waiting: it starts
                as soon as your license key is active (step 1).
              </p>
            )}
          </div>
        </li>
      </ol>
    </div>
  );
}
