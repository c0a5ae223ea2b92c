/**
 * Child process for the crash tests: starts the desktop services on a data folder, queues the files and kills itself
 * (SIGKILL: no cleanup, no final write) once the first job is transcribing — or, with CRASH_AT=checkpoint, once the
 * first job's finished segments have been saved.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { FileSecretStore } from '../../electron/core/license/index.ts';
import { createDesktop } from '../../electron/core/services.ts';

const [home, ...files] = process.argv.slice(2);
const desktop = await createDesktop({ home, secretStore: new FileSecretStore(path.join(home, 'license', 'key')) });
const atCheckpoint = process.env.CRASH_AT === 'checkpoint';
desktop.jobs.on('update', (job) => {
  if (job.stage !== 'transcribing') return;
  if (!atCheckpoint) process.kill(process.pid, 'SIGKILL');
  const partial = path.join(home, 'jobs', `${job.id}.partial.json`);
  if (existsSync(partial)) process.kill(process.pid, 'SIGKILL');
});
const added = await desktop.dispatch('jobs:addFiles', [files]);
if (!added.ok) {
  console.error(added.error.message);
  process.exit(3);
}
