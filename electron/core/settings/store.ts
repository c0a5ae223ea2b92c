/**
 * Where settings live. The desktop app backs this with electron-store (electron/main/settings-store.ts); the CLI,
 * the server and the tests use the plain JSON store below. Both write the same file (`settings.json` in the data
 * folder) in the same shape: the settings fields plus `schemaVersion`.
 */
import { readFileSync } from 'node:fs';
import { writeJsonAtomic } from '../fs-atomic.ts';
import {
  applySettingsPatch,
  migrateSettings,
  SETTINGS_SCHEMA_VERSION,
  type SettingsPatch,
  type SettingsRecord,
} from './schema.ts';

/** Raw key-value persistence (electron-store or a JSON file). */
export interface SettingsBackend {
  read(): unknown;
  write(record: Record<string, unknown>): Promise<void>;
}

type Listener = (settings: SettingsRecord) => void;

export class SettingsService {
  private current: SettingsRecord;
  private listeners = new Set<Listener>();

  constructor(private readonly backend: SettingsBackend) {
    this.current = migrateSettings(backend.read());
  }

  get(): SettingsRecord {
    return structuredClone(this.current);
  }

  async update(patch: SettingsPatch): Promise<SettingsRecord> {
    const next = applySettingsPatch(this.current, patch);
    await this.backend.write({ ...next, schemaVersion: SETTINGS_SCHEMA_VERSION });
    this.current = next;
    for (const l of this.listeners) l(this.get());
    return this.get();
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** A JSON file written atomically; a missing or unreadable file reads as defaults. */
export function jsonFileBackend(file: string): SettingsBackend {
  return {
    read() {
      try {
        return JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        return {};
      }
    },
    write: (record) => writeJsonAtomic(file, record),
  };
}
