/**
 * Child process for the folder tests that need a user without root's power to read anything: opens the desktop on a
 * data folder, adds what it is given through the contract (jobs:addFiles) and prints the answer as JSON.
 */
import path from 'node:path';
import { FileSecretStore } from '../../electron/core/license/index.ts';
import { createDesktop } from '../../electron/core/services.ts';
import { devKey } from './fixtures.ts';

const [home, ...files] = process.argv.slice(2);
const desktop = await createDesktop({ home, secretStore: new FileSecretStore(path.join(home, 'license', 'key')) });
await desktop.dispatch('license:set', [await devKey()]);
const added = await desktop.dispatch('jobs:addFiles', [files]);
for (const job of desktop.jobs.list()) await desktop.jobs.cancel(job.id).catch(() => {});
await desktop.dispose();
process.stdout.write(JSON.stringify(added));
