/**
 * Which model a desktop job runs: the `defaultModelId` setting is the model manager's default (read, not just
 * saved), and a job's `modelId` is an installed id, never a folder resolved against the working directory. Also: a
 * pasted link with a malformed `%` escape is a job, not INTERNAL_ERROR.
 */
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { JobRecord } from '../../electron/core/jobs/types.ts';
import { FileSecretStore } from '../../electron/core/license/index.ts';
import { createDesktop, type Desktop } from '../../electron/core/services.ts';
import { devKey, tempHome, WHISPER_FIXTURE } from './fixtures.ts';

let home: string;
let d: Desktop;
let imported: string;

before(async () => {
  home = await tempHome('earshot-model-choice-');
  d = await createDesktop({ home, secretStore: new FileSecretStore(path.join(home, 'license', 'key')) });
  imported = (await d.modelManager.import(WHISPER_FIXTURE)).id;
});

after(async () => {
  await d.dispose();
  await fs.rm(home, { recursive: true, force: true });
});

test('settings.defaultModelId is the model new jobs run, and settings:get reads it back', async () => {
  const set = await d.dispatch('settings:update', [{ defaultModelId: imported }]);
  assert.ok(set.ok, JSON.stringify(set));
  assert.equal((set.value as { defaultModelId?: string }).defaultModelId, imported);
  assert.equal((await d.models.resolve()).id, imported);
  const got = await d.dispatch('settings:get', []);
  assert.equal(got.ok && (got.value as { defaultModelId?: string }).defaultModelId, imported);
  const list = await d.dispatch('models:list', []);
  assert.ok(list.ok);
  assert.equal((list.value as { id: string; isDefault: boolean }[]).find((m) => m.isDefault)?.id, imported);

  const back = await d.dispatch('settings:update', [{ defaultModelId: 'demo-en' }]);
  assert.ok(back.ok, JSON.stringify(back));
  assert.equal((await d.models.resolve()).id, 'demo-en');
});

test('a defaultModelId that is not an installed model is refused with MODEL_NOT_FOUND and changes nothing', async () => {
  const before = (await d.models.resolve()).id;
  const r = await d.dispatch('settings:update', [{ defaultModelId: 'no-such-model', vad: false }]);
  assert.equal(!r.ok && r.error.code, 'MODEL_NOT_FOUND');
  assert.equal((await d.models.resolve()).id, before);
  const s = await d.dispatch('settings:get', []);
  assert.equal(s.ok && (s.value as { vad: boolean }).vad, true);
});

test("a job's modelId naming a folder in the working directory does not run that folder", async () => {
  const cwd = process.cwd();
  const work = await tempHome('earshot-cwd-');
  cpSync(WHISPER_FIXTURE, path.join(work, 'stray-model'), { recursive: true });
  process.chdir(work);
  try {
    for (const id of ['stray-model', './stray-model', path.join(work, 'stray-model'), '../stray-model']) {
      await assert.rejects(
        d.models.resolve(id),
        (e: { code?: string }) => e.code === 'MODEL_NOT_FOUND',
        `modelId ${id} must not resolve`,
      );
    }
    assert.equal((await d.models.resolve(imported)).id, imported);
  } finally {
    process.chdir(cwd);
    await fs.rm(work, { recursive: true, force: true });
  }
});

test('a pasted link with a malformed % escape becomes a job named as written, not INTERNAL_ERROR', async () => {
  await d.license.set(await devKey());
  const r = await d.dispatch('jobs:addUrl', ['https://example.com/talks/caf%E0%A4%A%zz.mp3']);
  assert.ok(r.ok, JSON.stringify(r));
  const job = r.value as JobRecord;
  assert.equal(job.source.name, 'caf%E0%A4%A%zz.mp3');
  await d.dispatch('jobs:cancel', [job.id]);
  const good = await d.dispatch('jobs:addUrl', ['https://example.com/caf%C3%A9.mp3']);
  assert.equal(good.ok && (good.value as JobRecord).source.name, 'café.mp3');
  if (good.ok) await d.dispatch('jobs:cancel', [(good.value as JobRecord).id]);
});
