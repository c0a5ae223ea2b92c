/**
 * Child process for the crash test: starts the desktop services on a data folder, queues two files and kills itself
 * (SIGKILL: no cleanup, no final write) once the first job is transcribing.
 */
import path from 'node:path';
import { FileSecretStore } from '../../electron/core/license/index.ts';
import { createDesktop } from '../../electron/core/services.ts';

const [home, ...files] = process.argv.slice(2);
const desktop = await createDesktop({ home, secretStore: new FileSecretStore(path.join(home, 'license', 'key')) });
desktop.jobs.on('update', (job) => {
  if (job.stage === 'transcribing') process.kill(process.pid, 'SIGKILL');
});
const added = await desktop.dispatch('jobs:addFiles', [files]);
if (!added.ok) {
  console.error(added.error.message);
  process.exit(3);
}
