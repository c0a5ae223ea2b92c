/**
 * Where settings live. The desktop app backs this with electron-store (electron/main/settings-store.ts); the CLI,
 * the server and the tests use the plain JSON store below. Both write the same file (`settings.json` in the data
 * folder) in the same shape: the settings fields plus `schemaVersion`.
 */
import { readFileSync } from 'node:fs';
import { recoverDataFile } from '../data-notices.ts';
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
  /** Fields a newer version of Earshot wrote, and that version: written back untouched so a downgrade loses nothing. */
  private readonly newer?: { fields: Record<string, unknown>; version: number };

  constructor(private readonly backend: SettingsBackend) {
    const stored = backend.read();
    this.current = migrateSettings(stored);
    const version = isRecord(stored) && typeof stored.schemaVersion === 'number' ? stored.schemaVersion : 0;
    if (isRecord(stored) && version > SETTINGS_SCHEMA_VERSION) this.newer = { fields: { ...stored }, version };
  }

  get(): SettingsRecord {
    return structuredClone(this.current);
  }

  async update(patch: SettingsPatch): Promise<SettingsRecord> {
    const next = applySettingsPatch(this.current, patch);
    const record = this.newer
      ? { ...this.newer.fields, ...next, schemaVersion: this.newer.version }
      : { ...next, schemaVersion: SETTINGS_SCHEMA_VERSION };
    await this.backend.write(record);
    this.current = next;
    for (const l of this.listeners) l(this.get());
    return this.get();
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return Boolean(v) && typeof v === 'object' && !Array.isArray(v);
}

/** What a damaged settings file costs, said the same way by both backends. */
export function recoverSettingsFile(file: string): void {
  recoverDataFile(file, 'Settings', 'damaged', 'were reset to their defaults');
}

/**
 * A JSON file written atomically. A missing file reads as defaults; one that is not a JSON object is set aside with a
 * notice (data-notices.ts) and reads as defaults.
 */
export function jsonFileBackend(file: string): SettingsBackend {
  return {
    read() {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') recoverSettingsFile(file);
        return {};
      }
      try {
        const parsed: unknown = JSON.parse(text);
        if (isRecord(parsed)) return parsed;
      } catch {
        // damaged: below
      }
      recoverSettingsFile(file);
      return {};
    },
    write: (record) => writeJsonAtomic(file, record),
  };
}
