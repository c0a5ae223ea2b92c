/**
 * electron-store as the settings backend: the same `settings.json` in the data folder that the CLI and the server
 * read, with the same shape. Schema validation and migrations are core's (electron/core/settings/schema.ts), so they
 * are tested in Node and shared by every face.
 */
import Store from 'electron-store';
import type { SettingsBackend } from '../core/settings/store.ts';

export function electronStoreBackend(dataHome: string): SettingsBackend {
  const store = new Store<Record<string, unknown>>({ cwd: dataHome, name: 'settings', clearInvalidConfig: true });
  return {
    read: () => store.store,
    async write(record) {
      store.store = record;
    },
  };
}
