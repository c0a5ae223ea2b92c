/**
 * Reading `jobs/queue.json` back. Every job is checked on its own, so one bad record costs that record and not the
 * queue; a file that is not a queue at all (truncated, empty, `null`, another shape) or that a newer version wrote is
 * set aside with a notice and the queue starts empty (data-notices.ts). Only missing files read as "no jobs" quietly.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { recoverDataFile, reportDataNotice } from '../data-notices.ts';
import { jobSettingsSchema } from './job-settings.ts';
import type { JobRecord } from './types.ts';

export const QUEUE_FILE_VERSION = 1;

const jobSchema = z.looseObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/),
  source: z.object({ kind: z.enum(['file', 'url']), value: z.string().min(1), name: z.string() }),
  stage: z.enum(['queued', 'downloading', 'decoding', 'transcribing', 'done', 'failed', 'cancelled']),
  progress: z.number().min(0).max(1),
  createdAt: z.string(),
  // The one job-settings schema; fields a newer version added are kept, not a reason to drop the job.
  settings: jobSettingsSchema.loose(),
});

const fileSchema = z.object({ version: z.number().int().optional(), jobs: z.array(z.unknown()) });

export function loadQueueFile(file: string): JobRecord[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    recoverDataFile(file, 'The job queue', 'damaged', 'was cleared');
    return [];
  }
  let parsed: z.infer<typeof fileSchema>;
  try {
    parsed = fileSchema.parse(JSON.parse(text));
  } catch {
    recoverDataFile(file, 'The job queue', 'damaged', 'was cleared');
    return [];
  }
  if ((parsed.version ?? 1) > QUEUE_FILE_VERSION) {
    recoverDataFile(file, 'The job queue', 'newer-version', 'was cleared');
    return [];
  }
  const jobs: JobRecord[] = [];
  const seen = new Set<string>();
  let dropped = 0;
  for (const raw of parsed.jobs) {
    const one = jobSchema.safeParse(raw);
    if (one.success && !seen.has(one.data.id)) {
      seen.add(one.data.id);
      jobs.push(one.data as unknown as JobRecord);
    } else dropped++;
  }
  if (dropped > 0) {
    reportDataNotice({
      file,
      problem: 'damaged',
      message: `${dropped} damaged ${dropped === 1 ? 'entry was' : 'entries were'} removed from the job queue (${jobs.length} kept).`,
    });
  }
  return jobs;
}
