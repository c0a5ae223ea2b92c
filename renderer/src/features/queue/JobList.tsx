/** The queue: every job with its stage, progress, measured ETA, the device it really runs on, and its actions. */
import { useEffect, useState } from 'react';
import type { JobView } from '../../../../electron/contract/api.ts';
import { call, describeError, earshot } from '../../shared/api.ts';
import { useApp } from '../../shared/app-state.tsx';
import { clock, eta } from '../../shared/format.ts';
import { Icon } from '../../shared/icons.tsx';
import { explainJobError } from '../../shared/job-errors.ts';
import { useToast } from '../../shared/toast.tsx';

const STAGE_LABEL: Record<JobView['stage'], string> = {
  queued: 'Waiting',
  downloading: 'Downloading',
  decoding: 'Decoding audio',
  transcribing: 'Transcribing',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};
const ACTIVE = new Set(['downloading', 'decoding', 'transcribing']);

function DeviceBadge({ job }: { job: JobView }) {
  if (!job.device) return null;
  const fell = job.device.fallbacks.length > 0 && job.device.provider === 'cpu';
  const why = job.device.fallbacks.map((f) => `${f.provider}: ${f.reason}`).join('\n');
  return (
    <>
      <span className={`badge ${job.device.provider === 'cpu' ? 'badge-cpu' : 'badge-gpu'}`} data-testid="device-badge">
        <Icon name="chip" size={13} />
        {job.device.label}
      </span>
      {fell && (
        // The reason is said once for the session, above the list (GpuNotice); the row keeps a quiet hint.
        <span className="sr-only" title={why}>
          (GPU not used)
        </span>
      )}
      {job.device.note && (
        <span className="badge badge-warn" title={job.device.note} data-testid="device-note">
          Other weights<span className="sr-only">: {job.device.note}</span>
        </span>
      )}
    </>
  );
}

/** `transcriptGone`: the job's transcript was deleted since (it cannot be opened any more). */
/** "GPU not used" once per session, above the queue, with the reasons — not on every row. */
export function GpuNotice({ jobs }: { jobs: JobView[] }) {
  const [dismissed, setDismissed] = useState(() => sessionStorage.getItem('earshot.gpuNotice') === 'dismissed');
  const fell = jobs.find((j) => j.device && j.device.provider === 'cpu' && j.device.fallbacks.length > 0);
  if (!fell?.device || dismissed) return null;
  return (
    <div className="callout callout-info" data-testid="gpu-notice">
      <Icon name="chip" />
      <div>
        <strong>GPU not used</strong> — jobs run on the CPU.{' '}
        <span className="small muted">{fell.device.fallbacks.map((f) => `${f.provider}: ${f.reason}`).join('; ')}</span>
      </div>
      <button
        type="button"
        className="btn btn-ghost btn-small"
        onClick={() => {
          sessionStorage.setItem('earshot.gpuNotice', 'dismissed');
          setDismissed(true);
        }}
      >
        Got it
      </button>
    </div>
  );
}

export function JobRow({ job, transcriptGone = false }: { job: JobView; transcriptGone?: boolean }) {
  const { navigate, setJobs, settings } = useApp();
  const notify = useToast();
  const pct = Math.round(job.progress * 100);
  const act = (fn: () => Promise<unknown>) => async () => {
    try {
      await fn();
    } catch (e) {
      notify(describeError(e), { tone: 'error' });
    }
  };
  const running = ACTIVE.has(job.stage);
  const problem = job.stage === 'failed' ? explainJobError(job, settings) : undefined;
  return (
    <li className={`job job-${job.stage}`} data-testid="job" data-stage={job.stage} aria-label={job.source.name}>
      <div className="job-main">
        <div className="job-title">
          <span className="job-name" title={job.source.value}>
            {job.source.kind === 'url' && <Icon name="link" size={14} />} {job.source.name}
          </span>
          <span className={`stage stage-${job.stage}`} data-testid="job-stage">
            {STAGE_LABEL[job.stage]}
          </span>
          <DeviceBadge job={job} />
          {job.resumed && job.stage !== 'done' && (
            <span className="badge" data-testid="resumed-badge">
              {job.resumedFrom ? `Resumed after restart at ${clock(job.resumedFrom)}` : 'Resumed after restart'}
            </span>
          )}
        </div>
        {(running || job.stage === 'queued') && (
          <div className="job-progress">
            <div
              className="progress"
              role="progressbar"
              aria-label={`${job.source.name}: ${STAGE_LABEL[job.stage]}`}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={pct}
            >
              <div className="progress-bar" style={{ width: `${pct}%` }} />
            </div>
            <span className="job-figures" data-testid="job-figures">
              {pct}%
              {running && (
                <>
                  {' '}
                  · {job.stage === 'transcribing' ? eta(job.etaSeconds) : STAGE_LABEL[job.stage].toLowerCase() + '…'}
                </>
              )}
            </span>
          </div>
        )}
        {job.stage === 'transcribing' && job.preview && (
          <p className="job-preview" data-testid="job-preview">
            {job.preview.length > 110 ? `…${job.preview.slice(-110)}` : job.preview}
          </p>
        )}
        {job.stage === 'done' && (
          <p className="muted small">
            {job.duration !== undefined && <>{clock(job.duration)} of audio · </>}
            {job.model}
          </p>
        )}
        {problem && (
          <div role="alert">
            <p className="job-error" data-testid="job-error">
              <Icon name="alert" size={14} /> <span>{problem.text}</span>
            </p>
            <p className="job-next muted" data-testid="job-next">
              {problem.next}
            </p>
          </div>
        )}
      </div>
      <div className="job-actions">
        {job.stage === 'done' && job.transcriptId && transcriptGone && (
          <span className="muted small" data-testid="transcript-gone">
            Transcript deleted
          </span>
        )}
        {job.stage === 'done' && job.transcriptId && !transcriptGone && (
          <button
            type="button"
            className="btn btn-primary btn-small"
            onClick={() => navigate({ name: 'transcript', id: job.transcriptId! })}
          >
            Open transcript
          </button>
        )}
        {job.stage === 'done' && job.transcriptId && !transcriptGone && (
          <button
            type="button"
            className="btn btn-small"
            onClick={act(() => call(earshot().transcripts.reveal(job.transcriptId!)))}
          >
            <Icon name="folder" size={14} /> Show in folder
          </button>
        )}
        {(running || job.stage === 'queued') && (
          <button type="button" className="btn btn-small" onClick={act(() => call(earshot().jobs.cancel(job.id)))}>
            <Icon name="x" size={14} /> Cancel
          </button>
        )}
        {(job.stage === 'cancelled' || problem?.retry) && (
          <button type="button" className="btn btn-small" onClick={act(() => call(earshot().jobs.retry(job.id)))}>
            <Icon name="retry" size={14} /> {problem?.retry ?? 'Retry'}
          </button>
        )}
        {!running && (
          <button
            type="button"
            className="icon-btn"
            aria-label={`Remove ${job.source.name} from the queue`}
            onClick={act(async () => {
              await call(earshot().jobs.remove(job.id));
              setJobs((list) => list.filter((j) => j.id !== job.id));
            })}
          >
            <Icon name="trash" size={16} />
          </button>
        )}
      </div>
    </li>
  );
}

/** Which finished jobs' transcripts still exist: checked when the queue opens and whenever a job finishes. */
function useLiveTranscripts(jobs: JobView[]): Set<string> | undefined {
  const [read, setRead] = useState<{ key: string; ids: Set<string> }>();
  const finished = jobs
    .filter((j) => j.transcriptId)
    .map((j) => j.transcriptId)
    .join(',');
  // Re-read when the set of finished jobs changes.
  useEffect(() => {
    let live = true;
    // Only these ids are asked about: the whole History would be thousands of summaries over IPC at every start.
    call(earshot().transcripts.existing(finished ? finished.split(',') : []))
      .then((ids) => live && setRead({ key: finished, ids: new Set(ids) }))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [finished]);
  // A list read before the newest job finished does not know its transcript yet: wait for the fresh one.
  return read?.key === finished ? read.ids : undefined;
}

export function JobList() {
  const { jobs } = useApp();
  const live = useLiveTranscripts(jobs);
  const ordered = [...jobs].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  if (ordered.length === 0) {
    return (
      <div className="empty">
        <p className="empty-title">Nothing in the queue</p>
        <p className="muted">Files you add show up here with their progress and time left.</p>
      </div>
    );
  }
  return (
    <ul className="job-list" aria-label="Queue">
      {ordered.map((j) => (
        <JobRow key={j.id} job={j} transcriptGone={Boolean(live && j.transcriptId && !live.has(j.transcriptId))} />
      ))}
    </ul>
  );
}
