/**
 * Turns what the user dropped (files and whole folders) into job sources, and checks pasted URLs. Folders are walked
 * recursively for media files by extension; the decoder still sniffs the bytes, so a mislabelled file fails with a
 * clear error on its own job rather than being silently skipped.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { EarshotError } from '../errors.ts';
import type { JobRecord } from './types.ts';

export const MEDIA_EXTENSIONS = new Set([
  '.wav',
  '.wave',
  '.mp3',
  '.m4a',
  '.aac',
  '.flac',
  '.ogg',
  '.oga',
  '.opus',
  '.webm',
  '.weba',
  '.mp4',
  '.m4v',
  '.mov',
  '.mkv',
  '.avi',
  '.wma',
  '.aif',
  '.aiff',
  '.amr',
  '.3gp',
  '.caf',
]);
const MAX_FILES = 10_000;

export async function expandMediaPaths(paths: string[]): Promise<JobRecord['source'][]> {
  const out: JobRecord['source'][] = [];
  const visit = async (p: string, fromFolder: boolean): Promise<void> => {
    if (out.length >= MAX_FILES) return;
    const st = await fs.stat(p).catch(() => undefined);
    if (!st) {
      if (!fromFolder) throw new EarshotError('INVALID_PARAMETER', `File not found: ${path.basename(p)}`, { path: p });
      return;
    }
    if (st.isDirectory()) {
      const entries = (await fs.readdir(p)).filter((n) => !n.startsWith('.')).sort();
      for (const name of entries) await visit(path.join(p, name), true);
      return;
    }
    // Files dropped one by one are always tried; inside folders only media extensions count.
    if (fromFolder && !MEDIA_EXTENSIONS.has(path.extname(p).toLowerCase())) return;
    out.push({ kind: 'file', value: p, name: path.basename(p) });
  };
  for (const p of paths) {
    if (!path.isAbsolute(p)) throw new EarshotError('INVALID_PARAMETER', `Not an absolute path: ${p}`);
    await visit(p, false);
  }
  if (out.length === 0) throw new EarshotError('UNSUPPORTED_FORMAT', 'No audio or video files found in what was added');
  return out;
}

export function urlSource(text: string): JobRecord['source'] {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new EarshotError('INVALID_PARAMETER', 'That is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EarshotError('URL_NOT_ALLOWED', 'Only http:// and https:// links can be transcribed');
  }
  if (url.username || url.password)
    throw new EarshotError('URL_NOT_ALLOWED', 'Links with a user name or password are not allowed');
  const name = decodeURIComponent(url.pathname.split('/').filter(Boolean).pop() ?? '') || url.hostname;
  return { kind: 'url', value: url.toString(), name };
}
