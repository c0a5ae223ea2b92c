/**
 * The desktop SecretStore: the key is encrypted with Electron safeStorage (Keychain, DPAPI, libsecret/kwallet) and
 * only the ciphertext is written, atomically, mode 0600, to <data home>/license/key.enc. Without encryption the key
 * is not stored at all. Linux's `basic_text` backend only obfuscates; describe() reports it as weak for the UI.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { safeStorage } from 'electron';
import { EarshotError } from '../core/errors.ts';
import { writeFileAtomic } from '../core/fs-atomic.ts';
import type { SecretStore } from '../core/license/index.ts';
import { dataPaths } from '../core/paths.ts';

export class SafeStorageSecretStore implements SecretStore {
  constructor(private readonly file = path.join(dataPaths().license, 'key.enc')) {}

  async get(): Promise<string | undefined> {
    const encrypted = await readFile(this.file).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (!encrypted || !safeStorage.isEncryptionAvailable()) return undefined;
    return safeStorage.decryptString(encrypted);
  }

  async set(key: string): Promise<void> {
    if (!safeStorage.isEncryptionAvailable()) {
      throw new EarshotError('SERVICE_UNAVAILABLE', 'This system offers no secure storage; the key was not saved');
    }
    await writeFileAtomic(this.file, safeStorage.encryptString(key.trim()), 0o600);
  }

  async remove(): Promise<void> {
    await rm(this.file, { force: true });
  }

  describe() {
    const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os';
    return { backend: `safeStorage:${backend}`, weak: backend === 'basic_text' };
  }
}
