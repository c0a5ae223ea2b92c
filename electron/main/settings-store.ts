/**
 * electron-store as the settings backend: the same `settings.json` in the data folder that the CLI and the server
 * read, with the same shape. Schema validation and migrations are core's (electron/core/settings/schema.ts), so they
 * are tested in Node and shared by every face.
 */
import Store from 'electron-store';
import path from 'node:path';
import { recoverSettingsFile, type SettingsBackend } from '../core/settings/store.ts';

export function electronStoreBackend(dataHome: string): SettingsBackend {
  const open = () => new Store<Record<string, unknown>>({ cwd: dataHome, name: 'settings', clearInvalidConfig: false });
  let store: Store<Record<string, unknown>>;
  try {
    store = open();
  } catch {
    // Not JSON: set aside with a notice (instead of electron-store's silent clearInvalidConfig), then defaults.
    recoverSettingsFile(path.join(dataHome, 'settings.json'));
    store = open();
  }
  return {
    read: () => store.store,
    async write(record) {
      store.store = record;
    },
  };
}
