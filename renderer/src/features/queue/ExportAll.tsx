/**
 * "Export all": every finished transcript of the queue, in one format, into a folder the user picks in the native
 * dialog (the core keeps the folder; the window never names it). One file at a time with progress, then a summary:
 * how many were written, which failed and why, and "Show in folder".
 */
import { useState } from 'react';
import type { ExportFormat, JobView } from '../../../../electron/contract/api.ts';
import { call, describeError, earshot } from '../../shared/api.ts';
import { Icon } from '../../shared/icons.tsx';
import { useToast } from '../../shared/toast.tsx';
import { FORMATS } from '../settings/FolderFormatFields.tsx';

const FORMAT_KEY = 'earshot.exportAllFormat';

interface Run {
  folder: string;
  total: number;
  done: number;
  written: string[];
  failed: { name: string; reason: string }[];
  finished: boolean;
}

export function ExportAll({ jobs, onClose }: { jobs: JobView[]; onClose(): void }) {
  const notify = useToast();
  const [format, setFormat] = useState<ExportFormat>(() => {
    const stored = localStorage.getItem(FORMAT_KEY);
    return FORMATS.find(([f]) => f === stored)?.[0] ?? 'txt';
  });
  const [run, setRun] = useState<Run>();
  const finished = jobs.filter((j) => j.stage === 'done' && j.transcriptId);
  const busy = run !== undefined && !run.finished;

  const start = async () => {
    try {
      localStorage.setItem(FORMAT_KEY, format);
      const chosen = await call(earshot().exports.chooseFolder());
      if (!chosen) return;
      let state: Run = {
        folder: chosen.folder,
        total: finished.length,
        done: 0,
        written: [],
        failed: [],
        finished: false,
      };
      setRun(state);
      for (const job of finished) {
        try {
          const file = await call(earshot().exports.write(chosen.batch, job.transcriptId!, format));
          state = { ...state, done: state.done + 1, written: [...state.written, file] };
        } catch (e) {
          const reason = describeError(e);
          state = { ...state, done: state.done + 1, failed: [...state.failed, { name: job.source.name, reason }] };
        }
        setRun(state);
      }
      setRun({ ...state, finished: true });
    } catch (e) {
      notify(describeError(e), { tone: 'error' });
    }
  };

  const reveal = async (file: string) => {
    try {
      await call(earshot().system.reveal(file));
    } catch (e) {
      notify(describeError(e), { tone: 'error' });
    }
  };

  return (
    <section className="export-all" aria-labelledby="export-all-heading" data-testid="export-all">
      <div className="export-all-head">
        <h3 id="export-all-heading">Export all finished transcripts</h3>
        <button type="button" className="icon-btn" aria-label="Close Export all" onClick={onClose} disabled={busy}>
          <Icon name="x" size={16} />
        </button>
      </div>
      <div className="export-all-form">
        <label htmlFor="export-all-format">Format</label>
        <select
          id="export-all-format"
          value={format}
          disabled={busy}
          onChange={(e) => setFormat(e.target.value as ExportFormat)}
        >
          {FORMATS.map(([f, label]) => (
            <option key={f} value={f}>
              {label}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="btn btn-primary btn-small"
          disabled={busy || finished.length === 0}
          onClick={() => void start()}
        >
          <Icon name="download" size={14} /> Choose folder and export {finished.length}
        </button>
      </div>
      {run && (
        <div className="export-all-run">
          <progress
            max={run.total || 1}
            value={run.done}
            aria-label="Export progress"
            data-testid="export-all-progress"
          />
          <p role="status" data-testid="export-all-status">
            {run.finished
              ? `Exported ${run.written.length} of ${run.total} to ${run.folder}` +
                (run.failed.length ? ` · ${run.failed.length} failed` : '')
              : `Exporting ${run.done} of ${run.total}…`}
          </p>
          {run.finished && run.failed.length > 0 && (
            <ul className="export-all-failed" aria-label="Not exported" data-testid="export-all-failed">
              {run.failed.map((f) => (
                <li key={f.name}>
                  <Icon name="alert" size={14} /> <strong>{f.name}</strong>: {f.reason}
                </li>
              ))}
            </ul>
          )}
          {run.finished && run.written.length > 0 && (
            <button type="button" className="btn btn-small" onClick={() => void reveal(run.written[0])}>
              <Icon name="folder" size={14} /> Show in folder
            </button>
          )}
        </div>
      )}
    </section>
  );
}
