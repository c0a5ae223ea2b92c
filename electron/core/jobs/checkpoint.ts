/**
 * A running job's finished segments on disk (`jobs/<id>.partial.json`, JSON Lines: a header line with the model and
 * the media's duration, then one segment per line), so that a crash or restart costs only the seconds since the
 * last save. New segments are appended, never rewritten: a multi-hour job writes each segment once instead of the
 * whole list every few seconds. The file is rewritten whole (atomically) only when it starts, or after a failed
 * write; a line torn by a crash ends the list when it is read back.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Segment } from '../asr/types.ts';
import { writeFileAtomic } from '../fs-atomic.ts';
import type { JobCheckpoint } from './types.ts';

/** Finished segments are saved at most this often (and when the app quits). */
const SAVE_EVERY_MS = 3000;

export function checkpointFile(jobsDir: string, jobId: string): string {
  return path.join(jobsDir, `${jobId}.partial.json`);
}

/** The saved segments of an interrupted run; anything unreadable or malformed means starting over, not failing. */
export async function readCheckpoint(file: string): Promise<JobCheckpoint | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (!text) return undefined;
  const [head, ...rest] = text.split('\n');
  const header = parseLine(head) as Partial<JobCheckpoint> | undefined;
  if (typeof header?.model !== 'string' || typeof header.duration !== 'number') return undefined;
  const segments: Segment[] = [];
  for (const line of rest) {
    const s = parseLine(line) as Segment | undefined;
    if (!s || typeof s.start !== 'number' || typeof s.end !== 'number' || typeof s.text !== 'string') break;
    segments.push(s);
  }
  return { model: header.model, duration: header.duration, segments };
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

export class CheckpointWriter {
  private readonly segments: Segment[] = [];
  /** How many of `segments` are on disk; 0 until the file has been (re)written whole. */
  private written = 0;
  private duration = 0;
  private lastSave = 0;
  private chain: Promise<void> = Promise.resolve();
  private discarded = false;

  constructor(
    private readonly file: string,
    private readonly model: string,
  ) {}

  setDuration(seconds: number): void {
    this.duration = seconds;
  }

  /** The engine accepted the previous checkpoint: its segments come first. */
  continueFrom(segments: Segment[]): void {
    this.segments.unshift(...segments);
    this.written = 0; // the old file may end in a torn line: start the file afresh
  }

  add(segment: Segment): void {
    this.segments.push(segment);
    if (Date.now() - this.lastSave >= SAVE_EVERY_MS) void this.flush();
  }

  /** Writes what is not on disk yet; writes are serialised. */
  flush(): Promise<void> {
    this.chain = this.chain.then(() => this.write());
    return this.chain;
  }

  async discard(): Promise<void> {
    this.discarded = true;
    await this.chain;
    await fs.rm(this.file, { force: true }).catch(() => {});
  }

  private async write(): Promise<void> {
    const upTo = this.segments.length;
    if (this.discarded || upTo === this.written) return;
    this.lastSave = Date.now();
    const lines = (from: number) =>
      this.segments
        .slice(from, upTo)
        .map((s) => `${JSON.stringify(s)}\n`)
        .join('');
    try {
      if (this.written === 0) {
        const header = `${JSON.stringify({ model: this.model, duration: this.duration })}\n`;
        await writeFileAtomic(this.file, header + lines(0));
      } else {
        await fs.appendFile(this.file, lines(this.written));
      }
      this.written = upTo;
    } catch {
      this.written = 0; // a failed append may have left half a line: the next save rewrites the file whole
    }
  }
}
