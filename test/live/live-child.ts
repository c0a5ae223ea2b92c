/**
 * Child process for the interrupted-recording test: starts the desktop services on a data folder, records a WAV's
 * audio live (its bytes as the "recording") and kills itself (SIGKILL: no cleanup, no final write) once the first final
 * text is decided and the in-progress marker on disk holds it (polled, so a slow disk or a loaded machine cannot kill
 * it before the write).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { decodeToPcm16k } from '../../electron/core/audio/index.ts';
import { FileSecretStore } from '../../electron/core/license/index.ts';
import { createDesktop } from '../../electron/core/services.ts';
import type { MessagePort } from 'node:worker_threads';
import { threadLiveEngine } from '../../electron/core/live/live-thread.ts';
import { pcm16 } from './pcm.ts';

const [home, wav] = process.argv.slice(2);
// This process plays the window too: it posts the frames on the recording's port, straight to the live worker.
const ports = new Map<string, MessagePort>();
const desktop = await createDesktop({
  home,
  secretStore: new FileSecretStore(path.join(home, 'license', 'key')),
  liveEngine: threadLiveEngine((id, port) => ports.set(id, port)),
});
async function killOnceMarkerHoldsText(): Promise<never> {
  const dir = path.join(home, 'recordings');
  for (;;) {
    for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
      if (!name.endsWith('.json')) continue;
      const marker = JSON.parse(await fs.readFile(path.join(dir, name), 'utf8').catch(() => '{}'));
      if (Array.isArray(marker.segments) && marker.segments.length > 0) process.kill(process.pid, 'SIGKILL');
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
let killing = false;
desktop.live.on('event', (e) => {
  if (e.type === 'final' && e.segments.length > 0 && !killing) {
    killing = true;
    void killOnceMarkerHoldsText();
  }
});
const started = await desktop.dispatch('live:start', []);
if (!started.ok) {
  console.error(started.error.message);
  process.exit(3);
}
const { id } = started.value as { id: string };
await desktop.dispatch('live:media', [id, (await fs.readFile(wav)).toString('base64')]);
const { samples } = await decodeToPcm16k(wav);
for (let at = 0; at < samples.length; at += 1600) {
  ports.get(id)!.postMessage(pcm16(samples.subarray(at, at + 1600)));
  await new Promise((r) => setTimeout(r, 5));
}
// Never reached in a passing run: the first final kills the process.
await new Promise((r) => setTimeout(r, 60_000));
process.exit(4);
