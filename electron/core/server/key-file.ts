/**
 * LICENSE_KEY_FILE: the server's keys read from a file that a secret store maintains (a Kubernetes or Docker secret
 * mounted as a file, a Vault agent's rendered file), and re-read when it changes so keys rotate without a restart.
 * The file is polled (one stat a second) rather than watched with inotify: mounted secrets are replaced by swapping
 * a symlink, which inotify watches on the old target miss.
 */
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { EarshotError } from '../errors.ts';
import { parseLicenseKeys } from './config.ts';

export const KEY_FILE_POLL_MS = 1000;

export function readKeyFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new EarshotError('INVALID_LICENSE', `LICENSE_KEY_FILE ${file} cannot be read: ${(e as Error).message}`);
  }
  // One key per line or comma-separated, as LICENSE_KEY.
  return parseLicenseKeys(text.replace(/\s*\n\s*/g, ','));
}

/**
 * Keeps `keys` (the very array the server checks against) in step with the file. A file that becomes unreadable or
 * empty keeps the keys in force (a half-written secret must not lock every client out) and says so.
 */
export function followKeyFile(file: string, keys: string[], log: (message: string) => void): { close(): void } {
  const onChange = () => {
    let next: string[];
    try {
      next = readKeyFile(file);
    } catch (e) {
      log(`${(e as Error).message}; keeping the keys in force`);
      return;
    }
    if (next.length === 0) {
      log(`LICENSE_KEY_FILE ${file} is empty; keeping the keys in force`);
      return;
    }
    if (next.length === keys.length && next.every((k, i) => k === keys[i])) return;
    keys.splice(0, keys.length, ...next);
    log(`license keys re-read from LICENSE_KEY_FILE (${next.length} key${next.length === 1 ? '' : 's'})`);
  };
  watchFile(file, { interval: KEY_FILE_POLL_MS, persistent: false }, onChange);
  return { close: () => unwatchFile(file, onChange) };
}
