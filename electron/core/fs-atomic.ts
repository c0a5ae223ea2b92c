import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { EarshotError } from './errors.ts';

/**
 * Write a file so that readers see either the old or the new content, never a torn one:
 * write a sibling temp file, fsync it, rename over the target, fsync the folder.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode?: number): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(tmp, 'w', mode ?? 0o644);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    if (mode !== undefined) await fs.chmod(tmp, mode);
    await fs.rename(tmp, file);
    await fsyncDir(dir);
  } catch (e) {
    await handle?.close().catch(() => {});
    await fs.rm(tmp, { force: true }).catch(() => {});
    if ((e as NodeJS.ErrnoException).code === 'ENOSPC') {
      throw new EarshotError('DISK_FULL', `Not enough disk space to write ${path.basename(file)}`, {}, { cause: e });
    }
    throw e;
  }
}

export async function writeJsonAtomic(file: string, value: unknown, mode?: number): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`, mode);
}

/** Reads JSON, returning `fallback` when the file does not exist (any other error is thrown). */
export async function readJson<T>(file: string, fallback: T): Promise<T> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw e;
  }
}

/** The temp-file name writeFileAtomic uses: `.<target name>.<12 hex>.tmp`. */
const TEMP_NAME = /^\..+\.[0-9a-f]{12}\.tmp$/;
/** Older than this, a temp file is a leftover (a write takes milliseconds; other processes may share the folder). */
const STALE_TEMP_MS = 10 * 60_000;

/**
 * Deletes temp files that interrupted atomic writes (a crash, a kill, power loss) left in `dir`; returns how many.
 * Only our own naming pattern, and only files old enough that no live write can own them.
 */
export async function sweepStaleTempFiles(dir: string, olderThanMs = STALE_TEMP_MS): Promise<number> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    if (!TEMP_NAME.test(name)) continue;
    const file = path.join(dir, name);
    const st = await fs.lstat(file).catch(() => undefined);
    if (!st?.isFile() || Date.now() - st.mtimeMs < olderThanMs) continue;
    await fs.rm(file, { force: true }).catch(() => {});
    removed++;
  }
  return removed;
}

async function fsyncDir(dir: string): Promise<void> {
  // Windows cannot open directories for fsync; the rename is still atomic there.
  if (process.platform === 'win32') return;
  const h = await fs.open(dir, 'r').catch(() => undefined);
  if (!h) return;
  await h.sync().catch(() => {});
  await h.close();
}

/**
 * A model folder's JSON file as an object, for validation: a missing file, bad JSON or a non-object adds a problem
 * (named by file) instead of throwing, so a folder check lists every problem at once.
 */
export function readJsonObjectSync(dir: string, name: string, problems: string[]): Record<string, unknown> | undefined {
  const file = path.join(dir, name);
  if (!existsSync(file)) {
    problems.push(`missing ${name}`);
    return undefined;
  }
  try {
    const value = JSON.parse(readFileSync(file, 'utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    problems.push(`${name}: expected a JSON object`);
  } catch (e) {
    problems.push(`${name}: not valid JSON (${(e as Error).message})`);
  }
  return undefined;
}
