/**
 * Damaged and newer-format data files: the desktop starts anyway, keeps a copy of the file it could not use, says
 * what was reset (system:notices, which the window shows), and a later write repairs the file.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import type { DataNotice } from '../../electron/contract/api.ts';
import { FileSecretStore } from '../../electron/core/license/index.ts';
import { createDesktop, type Desktop } from '../../electron/core/services.ts';
import { devKey, tempHome } from './fixtures.ts';

const homes: string[] = [];
after(async () => {
  for (const h of homes) await fs.rm(h, { recursive: true, force: true });
});

/** A data folder with `files` written into it (paths relative to the folder). */
async function homeWith(files: Record<string, string>): Promise<string> {
  const home = await tempHome('earshot-damaged-');
  homes.push(home);
  for (const [name, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(home, name)), { recursive: true });
    await fs.writeFile(path.join(home, name), text);
  }
  return home;
}

async function open(home: string): Promise<Desktop> {
  return createDesktop({ home, secretStore: new FileSecretStore(path.join(home, 'license', 'key')) });
}

async function notices(d: Desktop): Promise<DataNotice[]> {
  const r = await d.dispatch('system:notices', []);
  assert.ok(r.ok, JSON.stringify(r));
  return r.value as DataNotice[];
}

/** The copies kept beside `file` (`<name>.damaged-<time>`), with their content. */
function keptCopies(file: string): string[] {
  const dir = path.dirname(file);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.startsWith(`${path.basename(file)}.damaged-`))
    .map((n) => readFileSync(path.join(dir, n), 'utf8'));
}

for (const [label, text] of [
  ['truncated', '{"version":1,"jobs":[{"id":"a'],
  ['empty', ''],
  ['null', 'null'],
  ['of the wrong types', '{"version":1,"jobs":{"id":5}}'],
  ['an array', '[1,2,3]'],
] as const) {
  test(`jobs/queue.json ${label}: the app starts with an empty queue, keeps a copy and says so`, async () => {
    const home = await homeWith({ 'jobs/queue.json': text });
    const d = await open(home);
    try {
      const list = await d.dispatch('jobs:list', []);
      assert.deepEqual(list, { ok: true, value: [] });
      const [n] = await notices(d);
      assert.equal(n?.problem, 'damaged');
      assert.match(n.message, /job queue \(queue\.json\) was damaged and was cleared/);
      assert.deepEqual(keptCopies(path.join(home, 'jobs', 'queue.json')), [text]);
      // The queue writes a good file again at once.
      assert.ok(readFileSync(path.join(home, 'jobs', 'queue.json'), 'utf8').includes('"jobs"'));
    } finally {
      await d.dispose();
    }
  });
}

test('one damaged job record costs that record only, with a notice', async () => {
  const good = {
    id: 'job-1',
    source: { kind: 'file', value: '/nowhere/a.wav', name: 'a.wav' },
    stage: 'done',
    progress: 1,
    createdAt: new Date().toISOString(),
    settings: {},
  };
  const home = await homeWith({
    'jobs/queue.json': JSON.stringify({ version: 1, jobs: [good, { id: 7 }, null, { ...good, stage: 'exploded' }] }),
  });
  const d = await open(home);
  try {
    assert.deepEqual(
      d.jobs.list().map((j) => j.id),
      ['job-1'],
    );
    const [n] = await notices(d);
    assert.match(n.message, /3 damaged entries were removed from the job queue \(1 kept\)/);
  } finally {
    await d.dispose();
  }
});

test('a queue.json from a newer version is kept aside, not read as something it is not', async () => {
  const text = JSON.stringify({ version: 2, jobs: [{ future: true }] });
  const home = await homeWith({ 'jobs/queue.json': text });
  const d = await open(home);
  try {
    assert.deepEqual(d.jobs.list(), []);
    const [n] = await notices(d);
    assert.equal(n.problem, 'newer-version');
    assert.deepEqual(keptCopies(path.join(home, 'jobs', 'queue.json')), [text]);
  } finally {
    await d.dispose();
  }
});

for (const [label, text, problem] of [
  ['truncated', '{"version":1,"clockHighWa', 'damaged'],
  ['of a newer version', '{"version":2,"clock":{"ms":1},"usage":[]}', 'newer-version'],
  ['with usage of the wrong type', '{"version":1,"clockHighWaterMs":1,"usage":{"x":{"day":5}}}', 'damaged'],
] as const) {
  test(`license/usage.json ${label}: the app starts, usage starts from zero and is recorded again`, async () => {
    const home = await homeWith({ 'license/usage.json': text });
    const d = await open(home);
    try {
      await d.dispatch('license:set', [await devKey()]);
      const status = await d.dispatch('license:status', []);
      assert.ok(status.ok);
      const [n] = await notices(d);
      assert.equal(n.problem, problem);
      assert.match(n.message, /License usage for today \(usage\.json\)/);
      assert.deepEqual(keptCopies(path.join(home, 'license', 'usage.json')), [text]);
      await d.license.recordAudio(12);
      await d.licenses.flush();
      const written = JSON.parse(readFileSync(path.join(home, 'license', 'usage.json'), 'utf8'));
      assert.equal(written.version, 1);
      assert.equal((Object.values(written.usage)[0] as { audioSeconds: number }).audioSeconds, 12);
    } finally {
      await d.dispose();
    }
  });
}

test('a garbage license/revoked.json: the app starts, the list is set aside and the user is asked to import it again', async () => {
  const home = await homeWith({ 'license/revoked.json': '\u0000\u0001garbage' });
  const d = await open(home);
  try {
    const status = await d.dispatch('license:status', []);
    assert.ok(status.ok);
    const [n] = await notices(d);
    assert.match(n.message, /revocation list \(revoked\.json\) was damaged and is no longer in force; import it again/);
    assert.deepEqual(keptCopies(path.join(home, 'license', 'revoked.json')), ['\u0000\u0001garbage']);
  } finally {
    await d.dispose();
  }
});

for (const text of ['{"default": ', '{"default": 42}', '{"default": "../../etc"}', 'null']) {
  test(`a damaged models/registry.json (${text}): models list, jobs resolve a model and setDefault repairs it`, async () => {
    const home = await homeWith({ 'models/registry.json': text });
    const d = await open(home);
    try {
      const list = await d.dispatch('models:list', []);
      assert.ok(list.ok, JSON.stringify(list));
      const model = await d.models.resolve();
      assert.ok(model.dir);
      const [n] = await notices(d);
      assert.match(n.message, /default model choice \(registry\.json\) was damaged and was reset/);
      assert.deepEqual(keptCopies(path.join(home, 'models', 'registry.json')), [text]);
      const set = await d.dispatch('models:setDefault', [model.id]);
      assert.ok(set.ok, JSON.stringify(set));
      assert.deepEqual(JSON.parse(readFileSync(path.join(home, 'models', 'registry.json'), 'utf8')), {
        default: model.id,
      });
    } finally {
      await d.dispose();
    }
  });
}

test('a damaged settings.json is reported and kept, not dropped silently', async () => {
  const home = await homeWith({ 'settings.json': '{"theme": "dark", "langu' });
  const d = await open(home);
  try {
    const s = await d.dispatch('settings:get', []);
    assert.ok(s.ok);
    const [n] = await notices(d);
    assert.match(n.message, /Settings \(settings\.json\) was damaged and were reset to their defaults/);
    assert.deepEqual(keptCopies(path.join(home, 'settings.json')), ['{"theme": "dark", "langu']);
  } finally {
    await d.dispose();
  }
});

test('settings written by a newer version keep their unknown fields and version when this version saves', async () => {
  const stored = { schemaVersion: 99, theme: 'dark', futureFeature: { on: true }, language: 'de' };
  const home = await homeWith({ 'settings.json': JSON.stringify(stored) });
  const d = await open(home);
  try {
    const r = await d.dispatch('settings:update', [{ vad: false }]);
    assert.ok(r.ok, JSON.stringify(r));
    const written = JSON.parse(readFileSync(path.join(home, 'settings.json'), 'utf8'));
    assert.equal(written.schemaVersion, 99);
    assert.deepEqual(written.futureFeature, { on: true });
    assert.equal(written.theme, 'dark');
    assert.equal(written.language, 'de');
    assert.equal(written.vad, false);
    assert.deepEqual(await notices(d), []);
  } finally {
    await d.dispose();
  }
});

test('a damaged transcript file is set aside and reported; the rest of History loads', async () => {
  const home = await homeWith({ 'transcripts/0b5c1e2a-0000-4000-8000-000000000001.json': '{"id": "0b5c1e2a-00' });
  const d = await open(home);
  try {
    const list = await d.dispatch('transcripts:list', []);
    assert.deepEqual(list, { ok: true, value: [] });
    const [n] = await notices(d);
    assert.match(n.message, /A transcript \(0b5c1e2a-0000-4000-8000-000000000001\.json\) was damaged/);
    const file = path.join(home, 'transcripts', '0b5c1e2a-0000-4000-8000-000000000001.json');
    assert.deepEqual(keptCopies(file), ['{"id": "0b5c1e2a-00']);
    const dismissed = await d.dispatch('system:dismissNotice', [n.id]);
    assert.ok(dismissed.ok);
    assert.deepEqual(await notices(d), []);
  } finally {
    await d.dispose();
  }
});
