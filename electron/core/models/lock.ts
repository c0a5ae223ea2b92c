/**
 * A per-model lock file so two processes sharing the data folder (the desktop app and the CLI, say) never write the
 * same partial files. Holds the owner's pid; a lock whose process is gone is taken over.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { EarshotError } from '../errors.ts';

export async function acquireLock(file: string, what: string): Promise<() => Promise<void>> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(file, String(process.pid), { flag: 'wx' });
      return () => fs.rm(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number((await fs.readFile(file, 'utf8').catch(() => '')).trim());
      if (owner > 0 && isAlive(owner)) {
        throw new EarshotError('INVALID_PARAMETER', `${what} is already in progress (process ${owner})`);
      }
      await fs.rm(file, { force: true });
    }
  }
  throw new EarshotError('INVALID_PARAMETER', `${what} is already in progress`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
