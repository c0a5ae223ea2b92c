/**
 * The audio quota in the desktop app, with the real queue, worker pipeline and model: a job longer than the quota left
 * stops at the limit with QUOTA_EXCEEDED and keeps what it transcribed; no further job starts; and two processes
 * sharing the data folder (the app and a CLI run) together never charge more than the day's quota.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { FileSecretStore } from '../../electron/core/license/index.ts';
import { developmentSigningKey, issueLicense } from '../../electron/core/license/sign.ts';
import { createDesktop, type Desktop } from '../../electron/core/services.ts';
import { demoModelAvailable, jobSettled, speechWav, tempHome, WHISPER_FIXTURE } from './fixtures.ts';

const root = path.resolve(import.meta.dirname, '../..');
let home: string;
let long: string;

async function keyWithQuota(seconds: number): Promise<string> {
  return issueLicense({
    privateKey: await developmentSigningKey(),
    customer: 'Quota Tester',
    plan: 'Tiny',
    expiresAt: new Date(Date.now() + 30 * 86400_000),
    limits: { audioHoursPerDay: seconds / 3600 },
  }).key;
}

async function open(dir: string): Promise<Desktop> {
  const d = await createDesktop({ home: dir, secretStore: new FileSecretStore(path.join(dir, 'license', 'key')) });
  if (!demoModelAvailable()) await d.modelManager.import(WHISPER_FIXTURE);
  return d;
}

/** Today's charged audio seconds for the stored key's license. */
async function usedSeconds(d: Desktop): Promise<number> {
  const status = await d.license.status();
  return (status.usage?.audioHoursToday ?? Number.NaN) * 3600;
}

before(async () => {
  home = await tempHome('earshot-quota-');
  long = speechWav(path.join(home, 'long.wav'), 'the quick brown fox jumps over the lazy dog', 12);
});
after(() => fs.rm(home, { recursive: true, force: true }));

test('a job longer than the quota left stops at the limit with QUOTA_EXCEEDED, keeps what it transcribed, and no other job starts', async () => {
  const dir = await tempHome('earshot-quota-app-');
  const d = await open(dir);
  try {
    const quota = 20; // the file is about 34 s; its first segments end near 15 s and 19 s
    assert.equal((await d.license.set(await keyWithQuota(quota))).state, 'valid');
    const [job] = await d.jobs.add([{ kind: 'file', value: long, name: 'long.wav' }], { device: 'cpu' });
    const end = await jobSettled(d, job.id);

    assert.equal(end.stage, 'failed', JSON.stringify(end));
    assert.equal(end.error?.code, 'QUOTA_EXCEEDED');
    assert.match(String(end.error?.details?.resets_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(end.error?.message ?? '', /Stopped at 0:\d\d.*saved/);
    // The quota is used exactly: charged as transcribed, up to the limit and not beyond.
    assert.ok(Math.abs((await usedSeconds(d)) - quota) < 0.01, `used ${await usedSeconds(d)} s of ${quota}`);
    // What was transcribed before the limit is saved, and nothing after it.
    assert.ok(end.transcriptId, 'the partial transcript is saved');
    const t = await d.library.get(end.transcriptId);
    assert.ok(t.segments.length > 0, 'segments before the limit are kept');
    assert.ok(
      t.segments.every((s) => s.end <= quota + 1e-6),
      t.segments.map((s) => s.end).join(),
    );

    // Nothing more starts today: adding work is refused with the quota's reason.
    const refused = await d.dispatch('jobs:addFiles', [[long]]);
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.error.code, 'QUOTA_EXCEEDED');
    assert.equal((await d.license.status()).state, 'quota_exceeded');
  } finally {
    await d.dispose();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('the app and a CLI run sharing a data folder together charge no more than the quota', async () => {
  const dir = await tempHome('earshot-quota-shared-');
  const d = await open(dir);
  try {
    const quota = 40; // less than the two runs' audio together (the file is about 30 s)
    const key = await keyWithQuota(quota);
    await d.license.set(key);
    const model = demoModelAvailable() ? path.join(root, 'models', 'demo-en') : WHISPER_FIXTURE;
    const cli = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'electron/cli.ts'), 'transcribe', long, '--model', model, '--device', 'cpu'],
      { cwd: root, env: { ...process.env, EARSHOT_HOME: dir, LICENSE_KEY: key } },
    );
    let stdout = '';
    let stderr = '';
    cli.stdout.on('data', (b: Buffer) => {
      stdout += b;
    });
    cli.stderr.on('data', (b: Buffer) => {
      stderr += b;
    });
    const cliExit = new Promise<number | null>((resolve) => cli.on('close', resolve));
    const [job] = await d.jobs.add([{ kind: 'file', value: long, name: 'long.wav' }], { device: 'cpu' });
    const [end, code] = await Promise.all([jobSettled(d, job.id), cliExit]);

    const used = await usedSeconds(d);
    assert.ok(used <= quota + 0.01, `charged ${used} s of a ${quota} s quota`);
    assert.ok(used > quota - 0.01, `the quota is used up (${used} s)`);
    // At least one of the two stopped at the limit, each saying so.
    const appStopped = end.stage === 'failed' && end.error?.code === 'QUOTA_EXCEEDED';
    const cliStopped = code === 1 && /QUOTA_EXCEEDED/.test(stderr);
    assert.ok(appStopped || cliStopped, `app: ${JSON.stringify(end.error)}; cli (${code}): ${stderr}`);
    if (!appStopped) assert.equal(end.stage, 'done', JSON.stringify(end.error));
    if (!cliStopped) assert.equal(code, 0, stderr);
    assert.ok(stdout.trim().length > 0 || /QUOTA_EXCEEDED/.test(stderr), 'the CLI printed what it transcribed');
  } finally {
    await d.dispose();
    await fs.rm(dir, { recursive: true, force: true });
  }
});
