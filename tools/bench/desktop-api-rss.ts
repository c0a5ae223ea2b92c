/**
 * Main-process RSS of the desktop with its built-in API server off and on: a real model load (the bundled demo model,
 * or the model given with --model DIR imported first), one desktop job, and — with the server on — one POST
 * /v1/listen. Each case runs in its own child process so that one does not inherit the other's memory. Worker
 * threads are part of the process, so a second model copy in the server's threads shows here.
 *   npx tsx tools/bench/desktop-api-rss.ts [--model DIR]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { JobRecord } from '../../electron/core/jobs/types.ts';
import { FileSecretStore } from '../../electron/core/license/index.ts';
import { developmentSigningKey, issueLicense } from '../../electron/core/license/sign.ts';
import { createDesktop } from '../../electron/core/services.ts';
import { freePort, jobSettled } from '../../test/app/fixtures.ts';

const { values } = parseArgs({ options: { model: { type: 'string' }, child: { type: 'string' } } });

async function child(serverOn: boolean): Promise<void> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'earshot-rss-'));
  const wav = path.join(home, 'speech.wav');
  execFileSync('espeak-ng', ['-s', '150', '-w', wav, 'she opened the window and looked at the garden. '.repeat(6)]);
  const d = await createDesktop({
    home,
    secretStore: new FileSecretStore(path.join(home, 'license', 'key')),
    manageApiServer: true,
  });
  try {
    if (values.model) await d.modelManager.setDefault((await d.modelManager.import(values.model)).id);
    const key = issueLicense({
      privateKey: await developmentSigningKey(),
      customer: 'RSS bench',
      plan: 'Pro',
      expiresAt: new Date(Date.now() + 86400_000),
    }).key;
    await d.license.set(key);
    const added = await d.dispatch('jobs:addFiles', [[wav]]);
    if (!added.ok) throw new Error(JSON.stringify(added));
    const job = await jobSettled(d, (added.value as JobRecord[])[0].id);
    if (job.stage !== 'done') throw new Error(`job ${job.stage}`);
    if (serverOn) {
      const port = await freePort();
      await d.dispatch('settings:update', [{ server: { enabled: true, port } }]);
      const url = `http://127.0.0.1:${port}`;
      for (let i = 0; ; i++) {
        const health = await fetch(`${url}/health`).catch(() => undefined);
        if (health?.status === 200) break;
        if (i > 600) throw new Error('the API server never became ready');
        await new Promise((r) => setTimeout(r, 100));
      }
      const form = new FormData();
      form.append('audio', new Blob([readFileSync(wav)]), 'speech.wav');
      const r = await fetch(`${url}/v1/listen`, {
        method: 'POST',
        headers: { Authorization: `Token ${key}` },
        body: form,
      });
      const body = (await r.json()) as { text?: string };
      if (r.status !== 200 || !body.text) throw new Error(`listen answered ${r.status}: ${JSON.stringify(body)}`);
    }
    await new Promise((r) => setTimeout(r, 1000));
    globalThis.gc?.();
    console.log(JSON.stringify({ server: serverOn, rssMB: Math.round(process.memoryUsage().rss / 1048576) }));
  } finally {
    await d.dispose();
    rmSync(home, { recursive: true, force: true });
  }
}

if (values.child) {
  await child(values.child === 'on');
  process.exit(0);
} else {
  for (const mode of ['off', 'on']) {
    const args = ['--expose-gc', '--import', 'tsx', import.meta.filename, '--child', mode];
    if (values.model) args.push('--model', values.model);
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } });
    const line = r.stdout.trim().split('\n').pop();
    console.log(line || `${mode}: failed (${r.status})\n${r.stderr.slice(-2000)}`);
  }
}
