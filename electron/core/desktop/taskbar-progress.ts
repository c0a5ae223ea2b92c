/**
 * The queue's overall progress for the taskbar (Windows, Linux launchers) and the dock (macOS). The value and mode are
 * what Electron's `BrowserWindow.setProgressBar(value, { mode })` takes: -1 removes the bar, 0–1 is a fraction, above 1
 * is indeterminate. Computed here, from the queue alone, so that main only applies it (and tests need no Electron).
 *
 * A batch is every job that was waiting or running since the queue was last idle: a file added while another runs
 * joins it, finished ones count as whole, and the bar goes away once nothing is left to do.
 */
import type { JobQueue } from '../jobs/queue.ts';
import type { JobRecord } from '../jobs/types.ts';

export type TaskbarMode = 'none' | 'normal' | 'indeterminate' | 'paused' | 'error';

export interface TaskbarProgress {
  value: number;
  mode: TaskbarMode;
}

export const IDLE: TaskbarProgress = { value: -1, mode: 'none' };
/** Electron shows any value above 1 as indeterminate (macOS and Linux have no mode). */
const INDETERMINATE = 2;

const WAITING = new Set<JobRecord['stage']>(['queued', 'downloading', 'decoding', 'transcribing']);

export class QueueProgress {
  private batch = new Set<string>();

  /** The bar for the queue as it is now (`paused`: the queue holds its waiting jobs). */
  compute(jobs: readonly JobRecord[], paused: boolean): TaskbarProgress {
    const active = jobs.filter((j) => WAITING.has(j.stage));
    if (active.length === 0) {
      this.batch.clear();
      return IDLE;
    }
    for (const j of active) this.batch.add(j.id);
    const members = jobs.filter((j) => this.batch.has(j.id));
    // Jobs removed from the queue leave the batch.
    this.batch = new Set(members.map((j) => j.id));
    const done = (j: JobRecord) => (WAITING.has(j.stage) ? Math.min(1, Math.max(0, j.progress || 0)) : 1);
    const value = members.reduce((n, j) => n + done(j), 0) / members.length;
    const running = active.filter((j) => j.stage !== 'queued');
    if (paused) return { value, mode: 'paused' };
    // Nothing measurable yet: a download or decode that has not reported a fraction.
    if (value === 0 && running.length > 0 && running.every((j) => j.stage !== 'transcribing')) {
      return { value: INDETERMINATE, mode: 'indeterminate' };
    }
    if (members.some((j) => j.stage === 'failed')) return { value, mode: 'error' };
    return { value, mode: 'normal' };
  }
}

/**
 * Calls `apply` with the bar whenever it changes: on every job update, removal and pause. Returns the unsubscribe.
 * Progress ticks that move the bar by less than half a percent are not passed on.
 */
export function watchQueueProgress(jobs: JobQueue, apply: (p: TaskbarProgress) => void): () => void {
  const progress = new QueueProgress();
  let last: TaskbarProgress | undefined;
  const update = () => {
    const next = progress.compute(jobs.list(), jobs.isPaused());
    if (last && last.mode === next.mode && Math.abs(last.value - next.value) < 0.005) return;
    last = next;
    apply(next);
  };
  jobs.on('update', update);
  jobs.on('removed', update);
  jobs.on('paused', update);
  update();
  return () => {
    jobs.off('update', update);
    jobs.off('removed', update);
    jobs.off('paused', update);
  };
}
