/**
 * Is a URL the app's own page? Used by the IPC frame check and the navigation lock.
 *
 * Chromium reports a frame's URL in canonical form (forward slashes, percent-encoding, `file:///C:/…` on Windows),
 * never as the raw OS path, so comparing against `file://` + a path fails on Windows and on any install path with
 * a space or a non-ASCII character. We compare file paths instead: the URL is turned back into a path (which undoes
 * any percent-encoding choice) and must be exactly the bundled index.html — a prefix test would also trust a
 * sibling folder such as `dist/renderer-old/`. No `electron` import, so it is unit-tested in plain Node.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type Platform = 'win32' | 'posix';

function currentPlatform(): Platform {
  return process.platform === 'win32' ? 'win32' : 'posix';
}

function samePath(a: string, b: string, platform: Platform): boolean {
  if (platform !== 'win32') return path.posix.normalize(a) === path.posix.normalize(b);
  // NTFS compares names without case, and Chromium may report the drive letter in another case.
  return path.win32.normalize(a).toLowerCase() === path.win32.normalize(b).toLowerCase();
}

/** True when `url` is the page at `indexHtml` (any hash or query), false for anything else, malformed included. */
export function isAppPageUrl(url: string, indexHtml: string, platform: Platform = currentPlatform()): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'file:') return false;
  let framePath: string;
  try {
    // Throws on an encoded separator (%2F, %5C) or a host on POSIX: never our page.
    framePath = fileURLToPath(parsed, { windows: platform === 'win32' });
  } catch {
    return false;
  }
  return samePath(framePath, indexHtml, platform);
}
