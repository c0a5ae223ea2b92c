/**
 * Shared test fixtures for the desktop suites: a temporary data folder, speech generated with espeak-ng, license keys
 * signed with the committed development key, and a real model — the bundled demo model when it can run, otherwise
 * the random-weight Whisper fixture (real inference, meaningless words).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { detectModelFamily } from '../../electron/core/asr/load-model.ts';
import type { JobRecord } from '../../electron/core/jobs/types.ts';
import { developmentSigningKey, issueLicense } from '../../electron/core/license/sign.ts';
import { bundledModelsDir } from '../../electron/core/paths.ts';
import type { Desktop } from '../../electron/core/services.ts';

export { freePort } from '../server/harness.ts';

export const WHISPER_FIXTURE = path.resolve('test/fixtures/models/whisper-tiny-random');

export async function tempHome(prefix = 'earshot-app-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Speech from espeak-ng as a 16-bit WAV; `repeat` lengthens it (for ETA and cancel tests). */
export function speechWav(file: string, text: string, repeat = 1): string {
  execFileSync('espeak-ng', ['-s', '150', '-w', file, Array.from({ length: repeat }, () => text).join('. ')]);
  return file;
}

/** The demo model can run once the CTC engine and models/demo-en exist. */
export function demoModelAvailable(): boolean {
  const dir = path.join(bundledModelsDir(), 'demo-en');
  if (!existsSync(path.join(dir, 'model.json'))) return false;
  try {
    return detectModelFamily(dir) === 'ctc' && existsSync(path.join(dir, 'model.onnx'));
  } catch {
    return false;
  }
}

export async function devKey(options: { expiresInDays?: number; customer?: string; plan?: string } = {}) {
  const days = options.expiresInDays ?? 30;
  const expiresAt = new Date(Date.now() + days * 86400_000);
  const notBefore = days < 0 ? new Date(expiresAt.getTime() - 30 * 86400_000) : undefined;
  return issueLicense({
    privateKey: await developmentSigningKey(),
    customer: options.customer ?? 'Ada Tester',
    plan: options.plan ?? 'Pro',
    expiresAt,
    notBefore,
    issuedAt: notBefore,
  }).key;
}

/** Share of the expected words that appear in the recognised text (normalised: lower case, no punctuation). */
export function wordRecall(expected: string, recognised: string): number {
  const norm = (t: string) =>
    t
      .toLowerCase()
      .replace(/[^a-z' ]+/g, ' ')
      .split(/\s+/)
      .filter(Boolean);
  const got = new Set(norm(recognised));
  const want = norm(expected);
  return want.filter((w) => got.has(w)).length / want.length;
}

/** The job once it has ended (done, failed or cancelled), as the desktop's queue reports it; rejects after `timeoutMs`. */
export function jobSettled(d: Desktop, id: string, timeoutMs = 180_000): Promise<JobRecord> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`job ${id} never ended`)), timeoutMs);
    const check = (job: JobRecord) => {
      if (job.id !== id || !['done', 'failed', 'cancelled'].includes(job.stage)) return;
      clearTimeout(timer);
      d.jobs.off('update', check);
      resolve(job);
    };
    d.jobs.on('update', check);
    const now = d.jobs.list().find((j) => j.id === id);
    if (now) check(now);
  });
}
