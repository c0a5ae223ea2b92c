/**
 * Media downloaded for a URL job lives in the media folder as `<job id>.<ext>`, so the transcript can play it back.
 * A job that fails or is cancelled has no transcript to play it for: its download is deleted with it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { EarshotError } from '../errors.ts';

export function jobMediaPath(mediaDir: string, jobId: string, url: string): string {
  return path.join(mediaDir, `${jobId}${mediaExtension(url)}`);
}

function mediaExtension(url: string): string {
  try {
    const ext = path.extname(new URL(url).pathname).toLowerCase();
    return /^\.[a-z0-9]{1,5}$/.test(ext) ? ext : '.media';
  } catch {
    return '.media';
  }
}

/** Deletes what a job downloaded (any extension); nothing else in the folder is touched. */
export async function removeJobMedia(mediaDir: string, jobId: string): Promise<void> {
  const names = await fs.readdir(mediaDir).catch(() => [] as string[]);
  for (const name of names) {
    if (name.startsWith(`${jobId}.`)) await fs.rm(path.join(mediaDir, name), { force: true }).catch(() => {});
  }
}

/**
 * Moves a finished download (a temp file) to `mediaPath`, copying across disks. Whatever happens the temp file is
 * deleted, and so is a half-written copy; a full disk is DISK_FULL, not a raw ENOSPC.
 */
export async function keepDownload(
  fetched: { path: string; cleanup(): Promise<void> },
  mediaPath: string,
): Promise<void> {
  try {
    await fs.mkdir(path.dirname(mediaPath), { recursive: true });
    try {
      await fs.rename(fetched.path, mediaPath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
      await fs.copyFile(fetched.path, mediaPath);
    }
  } catch (e) {
    await fs.rm(mediaPath, { force: true }).catch(() => {});
    if ((e as NodeJS.ErrnoException).code === 'ENOSPC') {
      throw new EarshotError('DISK_FULL', 'Not enough disk space to keep the downloaded media', {}, { cause: e });
    }
    throw e;
  } finally {
    await fetched.cleanup().catch(() => {});
  }
}
