/**
 * Turns what the user dropped (files and whole folders) into job sources, and checks pasted URLs. Folders are walked
 * recursively for media files by extension (the media table, `core/media-types.ts`, the same containers the sniffer
 * accepts); the decoder still sniffs the bytes, so a mislabelled file fails with a
 * clear error on its own job rather than being silently skipped, and so does a sub-folder that cannot be read.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { EarshotError } from '../errors.ts';
import { isMediaName } from '../media-types.ts';
import { parseUserUrl } from '../url-rule.ts';
import type { JobRecord } from './types.ts';

const MAX_FILES = 10_000;
/** A walk stops after this many folder entries or this long, whichever comes first (100 k entries take ~0.5 s). */
const MAX_ENTRIES = 1_000_000;
const MAX_WALK_MS = 30_000;
const MAX_DEPTH = 64;

export interface ExpandedMedia {
  sources: JobRecord['source'][];
  /** Folders inside a drop that could not be read: each becomes a failed job with the reason, the rest go on. */
  unreadable: { source: JobRecord['source']; reason: string }[];
}

function reasonOf(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  return code ? code : e instanceof Error ? e.message : String(e);
}

/**
 * Files dropped one by one are always tried; inside folders only media extensions count (checked on the name, before
 * any stat, so a folder of 100 k documents costs one readdir each). Symbolic links are followed, but each real folder
 * and each real file is visited once: `loop -> .` used to make 41 jobs for one file, and two loops walked forever.
 */
export async function expandMediaPaths(paths: string[]): Promise<ExpandedMedia> {
  const sources: JobRecord['source'][] = [];
  const unreadable: ExpandedMedia['unreadable'] = [];
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();
  const deadline = Date.now() + MAX_WALK_MS;
  let entries = 0;
  const full = () => sources.length >= MAX_FILES || entries >= MAX_ENTRIES || Date.now() > deadline;

  const addFile = async (p: string): Promise<void> => {
    const real = await fs.realpath(p).catch(() => p);
    if (seenFiles.has(real)) return;
    seenFiles.add(real);
    sources.push({ kind: 'file', value: p, name: path.basename(p) });
  };

  const walk = async (dir: string, depth: number): Promise<void> => {
    const real = await fs.realpath(dir).catch(() => dir);
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    let list: import('node:fs').Dirent[];
    try {
      list = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      unreadable.push({
        source: { kind: 'file', value: dir, name: path.basename(dir) },
        reason: `Could not read the folder ${path.basename(dir)}: ${reasonOf(e)}`,
      });
      return;
    }
    list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of list) {
      if (full()) return;
      entries++;
      if (entry.name.startsWith('.')) continue;
      const p = path.join(dir, entry.name);
      const media = isMediaName(entry.name);
      if (entry.isFile()) {
        if (media) await addFile(p);
      } else if (entry.isDirectory()) {
        if (depth < MAX_DEPTH) await walk(p, depth + 1);
      } else if (entry.isSymbolicLink()) {
        // Only a link can hide a folder or a media file behind another name: stat just these.
        const st = await fs.stat(p).catch(() => undefined);
        if (st?.isDirectory()) {
          if (depth < MAX_DEPTH) await walk(p, depth + 1);
        } else if (st?.isFile() && media) await addFile(p);
      }
    }
  };

  for (const p of paths) {
    if (!path.isAbsolute(p)) throw new EarshotError('INVALID_PARAMETER', `Not an absolute path: ${p}`);
  }
  for (const p of paths) {
    if (full()) break;
    const st = await fs.stat(p).catch((e: unknown) => e as NodeJS.ErrnoException);
    if (st instanceof Error) {
      if (st.code === 'ENOENT' || st.code === 'ENOTDIR') {
        throw new EarshotError('NOT_FOUND', `File not found: ${path.basename(p)}`, { path: p });
      }
      throw new EarshotError('INVALID_PARAMETER', `Could not open ${path.basename(p)}: ${reasonOf(st)}`, { path: p });
    }
    if (st.isDirectory()) await walk(p, 0);
    else await addFile(p);
  }
  if (sources.length === 0 && unreadable.length === 0) {
    throw new EarshotError('UNSUPPORTED_FORMAT', 'No audio or video files found in what was added');
  }
  return { sources, unreadable };
}

export function urlSource(text: string): JobRecord['source'] {
  const url = parseUserUrl(text);
  const last = url.pathname.split('/').filter(Boolean).pop() ?? '';
  const name = decodedOr(last) || url.hostname;
  return { kind: 'url', value: url.toString(), name };
}

/** The percent-decoded text, or the text as it is when its escapes are malformed (`%E0%A4%A`): a name, not an error. */
function decodedOr(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
