/**
 * Inter-process locks on files in the data folder (proper-lockfile: a `<target>.lock` folder, kept fresh while held,
 * taken over once `stale`). The holder writes who it is (pid, host, a token) into the folder, so a lock left by a
 * process that crashed on this machine is taken over at once instead of after the stale age. Used by the license
 * ledger (waits its turn) and by model downloads (refused while another process downloads the same model).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';

const OWNER_FILE = 'owner.json';

export interface LockOwner {
  pid: number;
  host: string;
  token: string;
}

export interface FileLockOptions {
  /** How often to try again while another process holds it (0: fail at once with ELOCKED). */
  retries?: lockfile.LockOptions['retries'];
  /** Age (ms) after which a lock that is not kept fresh counts as abandoned. */
  stale?: number;
}

/** The folder that holds the lock on `target`. */
export function lockDirOf(target: string): string {
  return `${target}.lock`;
}

/** Takes the lock on `target` (which need not exist); resolves with its release. */
export async function lockFile(target: string, options: FileLockOptions = {}): Promise<() => Promise<void>> {
  const lockDir = lockDirOf(target);
  mkdirSync(path.dirname(lockDir), { recursive: true });
  breakDeadLock(lockDir);
  const release = await lockfile.lock(target, {
    realpath: false,
    lockfilePath: lockDir,
    stale: options.stale ?? 10_000,
    retries: options.retries ?? 0,
    // A lock held past `stale` (a stuck disk) may be taken over; the holder then simply goes on unprotected
    // instead of the library's default of throwing from a timer, which would end the process.
    onCompromised: () => {},
  });
  const owner = path.join(lockDir, OWNER_FILE);
  try {
    writeFileSync(owner, JSON.stringify({ pid: process.pid, host: os.hostname(), token: randomUUID() }));
  } catch {
    // without it, a crash here is only recovered by the stale age
  }
  return async () => {
    rmSync(owner, { force: true }); // proper-lockfile removes the folder with rmdir: it must be empty
    await release().catch(() => {});
  };
}

/** Runs `work` while holding the lock on `target`. */
export async function withFileLock<T>(target: string, options: FileLockOptions, work: () => Promise<T>): Promise<T> {
  const release = await lockFile(target, options);
  try {
    return await work();
  } finally {
    await release();
  }
}

/** Who holds the lock folder, when it says. */
export function readLockOwner(lockDir: string): LockOwner | undefined {
  try {
    const o = JSON.parse(readFileSync(path.join(lockDir, OWNER_FILE), 'utf8')) as Partial<LockOwner>;
    return typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.token === 'string'
      ? (o as LockOwner)
      : undefined;
  } catch {
    return undefined;
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/**
 * Removes the lock when its recorded holder is a process on this machine that no longer runs. The folder is first
 * renamed aside and its owner read again, so a fresh lock another process took meanwhile is put back, not broken.
 */
export function breakDeadLock(lockDir: string): void {
  const owner = readLockOwner(lockDir);
  if (!owner || owner.host !== os.hostname() || owner.pid === process.pid || isProcessAlive(owner.pid)) return;
  const aside = `${lockDir}.dead-${randomUUID()}`;
  try {
    renameSync(lockDir, aside);
  } catch {
    return;
  }
  if (readLockOwner(aside)?.token !== owner.token) {
    try {
      renameSync(aside, lockDir);
    } catch {
      // the other process's lock is gone; it is told by proper-lockfile's compromised check
    }
    return;
  }
  rmSync(aside, { recursive: true, force: true });
}
