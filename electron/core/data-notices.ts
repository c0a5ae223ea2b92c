/**
 * What happens when a data file cannot be used: the app starts anyway. A damaged file (truncated, empty, `null`,
 * wrong types) or one written by a newer version of Earshot is moved aside as `<name>.damaged-<time>` (so nothing is
 * lost and the user or support can look at it), the part it held starts over, and a notice says so. The renderer
 * shows the notices (`system:notices`) until the user dismisses them; the CLI prints them.
 *
 * Refusing to start is never better here: deleting the file would "fix" the start just as well, only silently.
 * Notices are kept per process and filtered by data folder, so every service reports into one place without being
 * handed a sink, and two desktops in one process (the tests) never see each other's.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, renameSync } from 'node:fs';
import path from 'node:path';

export interface DataNotice {
  id: string;
  /** The file that could not be used. */
  file: string;
  problem: 'damaged' | 'newer-version';
  /** Where the unusable file was kept, when it was moved aside. */
  keptAs?: string;
  /** One sentence for the user: what was reset and what to do. */
  message: string;
  at: string;
}

const notices: DataNotice[] = [];
const MAX_NOTICES = 100;

export function reportDataNotice(notice: Omit<DataNotice, 'id' | 'at'>): DataNotice {
  const full: DataNotice = { id: randomUUID(), at: new Date().toISOString(), ...notice };
  notices.push(full);
  if (notices.length > MAX_NOTICES) notices.splice(0, notices.length - MAX_NOTICES);
  return full;
}

/** The notices about files inside `home`, oldest first. */
export function dataNotices(home: string): DataNotice[] {
  const root = path.resolve(home) + path.sep;
  return notices.filter((n) => path.resolve(n.file).startsWith(root)).map((n) => ({ ...n }));
}

export function dismissDataNotice(id: string): void {
  const i = notices.findIndex((n) => n.id === id);
  if (i >= 0) notices.splice(i, 1);
}

function stamp(): string {
  return new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/**
 * Moves an unusable file aside (`queue.json` → `queue.json.damaged-20260101T120000Z`, numbered if taken) and returns
 * the new path; undefined when the file is already gone (another process moved it first) or cannot be moved.
 */
export function setAside(file: string): string | undefined {
  const base = `${file}.damaged-${stamp()}`;
  let target = base;
  for (let n = 2; existsSync(target); n++) target = `${base}-${n}`;
  try {
    renameSync(file, target);
    return target;
  } catch {
    return undefined;
  }
}

/** Sets a damaged or newer-format file aside and reports it: `what` says what starts over ("The job queue"). */
export function recoverDataFile(
  file: string,
  what: string,
  problem: DataNotice['problem'] = 'damaged',
  consequence = 'was reset',
): DataNotice {
  const keptAs = setAside(file);
  const why = problem === 'damaged' ? 'was damaged' : 'was written by a newer version of Earshot';
  const kept = keptAs ? ` A copy is kept as ${path.basename(keptAs)}.` : '';
  return reportDataNotice({
    file,
    problem,
    ...(keptAs ? { keptAs } : {}),
    message: `${what} (${path.basename(file)}) ${why} and ${consequence}.${kept}`,
  });
}
