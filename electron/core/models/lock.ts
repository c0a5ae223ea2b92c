/**
 * A per-model download lock so two processes sharing the data folder (the desktop app and the CLI, say) never write
 * the same partial files: core/file-lock.ts (proper-lockfile, with the holder's pid so a crashed holder's lock is
 * taken over at once). A second pull of the same model is refused at once, naming the process that holds it.
 */
import { EarshotError } from '../errors.ts';
import { lockDirOf, lockFile, readLockOwner } from '../file-lock.ts';

export async function acquireLock(target: string, what: string): Promise<() => Promise<void>> {
  try {
    return await lockFile(target, { retries: 0, stale: 30_000 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
    const owner = readLockOwner(lockDirOf(target));
    const by = owner ? ` (process ${owner.pid})` : '';
    throw new EarshotError('INVALID_PARAMETER', `${what} is already in progress${by}`);
  }
}
