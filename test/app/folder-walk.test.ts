/**
 * Dropped folders with symbolic-link loops, unreadable sub-folders and many non-media files, on the real file system.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import type { JobRecord } from '../../electron/core/jobs/types.ts';
import { expandMediaPaths } from '../../electron/core/jobs/sources.ts';
import { tempHome } from './fixtures.ts';

const roots: string[] = [];
after(async () => {
  for (const r of roots) {
    await fs.chmod(r, 0o755).catch(() => {});
    await fs.rm(r, { recursive: true, force: true });
  }
});

async function folder(): Promise<string> {
  const root = await tempHome('earshot-walk-');
  roots.push(root);
  return root;
}

test('a loop back to its own folder adds each file once', async () => {
  const root = await folder();
  writeFileSync(path.join(root, 'talk.wav'), 'RIFF');
  symlinkSync('.', path.join(root, 'loop'));
  const { sources } = await expandMediaPaths([root]);
  assert.deepEqual(
    sources.map((s) => s.name),
    ['talk.wav'],
  );
});

test('two loops (to itself and to its parent) add each file once', async () => {
  const root = await folder();
  mkdirSync(path.join(root, 'in'));
  writeFileSync(path.join(root, 'in', 'a.mp3'), 'x');
  writeFileSync(path.join(root, 'b.m4a'), 'x');
  symlinkSync('.', path.join(root, 'in', 'self'));
  symlinkSync('..', path.join(root, 'in', 'up'));
  const { sources } = await expandMediaPaths([root]);
  assert.deepEqual(sources.map((s) => s.name).sort(), ['a.mp3', 'b.m4a']);
});

test('two loops and no media end with "no audio or video files", not a walk that never returns', async () => {
  const root = await folder();
  symlinkSync('.', path.join(root, 'a'));
  symlinkSync('.', path.join(root, 'b'));
  writeFileSync(path.join(root, 'notes.txt'), 'x');
  await assert.rejects(expandMediaPaths([root]), (e: { code?: string }) => e.code === 'UNSUPPORTED_FORMAT');
});

test('links to media files are followed; a dangling link is skipped', async () => {
  const root = await folder();
  const other = await folder();
  writeFileSync(path.join(other, 'real.flac'), 'x');
  symlinkSync(path.join(other, 'real.flac'), path.join(root, 'alias.flac'));
  symlinkSync(path.join(other, 'gone.wav'), path.join(root, 'dangling.wav'));
  const { sources } = await expandMediaPaths([root]);
  assert.deepEqual(
    sources.map((s) => s.name),
    ['alias.flac'],
  );
});

test('an unreadable sub-folder becomes one failed job with the reason; the other files are queued', () => {
  const root = spawnSync('id', ['-u'], { encoding: 'utf8' }).stdout.trim() === '0';
  return (async () => {
    const drop = await folder();
    const home = await folder();
    for (const d of [drop, home]) chmodSync(d, 0o777);
    mkdirSync(path.join(drop, 'ok'));
    mkdirSync(path.join(drop, 'secret'));
    writeFileSync(path.join(drop, 'ok', 'one.wav'), 'RIFF');
    writeFileSync(path.join(drop, 'secret', 'two.wav'), 'RIFF');
    chmodSync(path.join(drop, 'secret'), 0o000);
    // Root reads every folder: the drop is made by an ordinary user (nobody) when the tests run as root.
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.resolve('test/app/add-files-child.ts'), home, drop],
      {
        encoding: 'utf8',
        ...(root ? { uid: 65534, gid: 65534 } : {}),
        env: { ...process.env, HOME: home, EARSHOT_HOME: home },
      },
    );
    assert.equal(child.status, 0, child.stderr);
    const added = JSON.parse(child.stdout) as { ok: boolean; value: JobRecord[] };
    assert.ok(added.ok, child.stdout);
    const byName = Object.fromEntries(added.value.map((j) => [j.source.name, j]));
    assert.equal(byName['one.wav']?.stage, 'queued');
    assert.equal(byName.secret?.stage, 'failed');
    assert.equal(byName.secret?.error?.message, 'Could not read the folder secret: permission denied');
    assert.equal(byName['two.wav'], undefined);
  })();
});

test('a folder of many non-media files is walked by name: only the media file is queued', async () => {
  const root = await folder();
  for (let i = 0; i < 2000; i++) writeFileSync(path.join(root, `doc-${i}.txt`), '');
  writeFileSync(path.join(root, 'voice.opus'), 'x');
  const { sources } = await expandMediaPaths([root]);
  assert.deepEqual(
    sources.map((s) => s.name),
    ['voice.opus'],
  );
});
