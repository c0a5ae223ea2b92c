/**
 * Where the license key lives. Desktop: Electron safeStorage (electron/main/secret-store.ts). Headless: the
 * LICENSE_KEY environment variable (the seed's advice; a comma-separated list lets a server accept several keys) or a
 * key file that other users cannot read. No implementation ever logs or echoes the key.
 */
import { statSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { EarshotError } from '../errors.ts';
import { writeFileAtomic } from '../fs-atomic.ts';
import { normalizeKey } from './format.ts';

export interface SecretStore {
  get(): Promise<string | undefined>;
  set(key: string): Promise<void>;
  remove(): Promise<void>;
  /** `weak`: the key is only obfuscated at rest (Linux safeStorage `basic_text`); the UI should say so. */
  describe(): { backend: string; weak: boolean };
}

/** Splits a LICENSE_KEY value into keys (comma- or newline-separated; whitespace inside a key is dropped). */
export function splitKeyList(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(/[,\n]/)
    .map(normalizeKey)
    .filter((k) => k.length > 0);
}

/** Read-only store over an environment variable (LICENSE_KEY by default). */
export class EnvSecretStore implements SecretStore {
  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly name = 'LICENSE_KEY',
  ) {}

  /** The first key in the variable. */
  async get(): Promise<string | undefined> {
    return this.getAll()[0];
  }

  /** Every key in the variable, for a server that accepts several. */
  getAll(): string[] {
    return splitKeyList(this.env[this.name]);
  }

  async set(_key: string): Promise<void> {
    throw new EarshotError('INVALID_PARAMETER', `The key comes from ${this.name}; change it where Earshot is started`);
  }

  async remove(): Promise<void> {
    throw new EarshotError('INVALID_PARAMETER', `The key comes from ${this.name}; unset it where Earshot is started`);
  }

  describe() {
    return { backend: `env:${this.name}`, weak: false };
  }
}

/** A key file that must be private to its owner (mode 0600 on POSIX); refuses to read one that others can read. */
export class FileSecretStore implements SecretStore {
  constructor(readonly file: string) {}

  async get(): Promise<string | undefined> {
    let mode: number;
    try {
      mode = statSync(this.file).mode;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new EarshotError(
        'INVALID_PARAMETER',
        `The license key file ${this.file} is readable by other users; run: chmod 600 '${this.file}'`,
      );
    }
    const key = normalizeKey(await readFile(this.file, 'utf8'));
    return key.length > 0 ? key : undefined;
  }

  async set(key: string): Promise<void> {
    await writeFileAtomic(this.file, `${normalizeKey(key)}\n`, 0o600);
  }

  async remove(): Promise<void> {
    await rm(this.file, { force: true });
  }

  describe() {
    return { backend: 'file', weak: false };
  }
}
