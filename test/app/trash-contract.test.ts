/**
 * The trash over the typed contract (transcripts:listTrash, transcripts:deleteForever, transcripts:restore) through
 * the same validating dispatcher main registers on ipcMain, against a real library on disk.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { TranscriptSummary, TrashedTranscript } from '../../electron/contract/api.ts';
import { FileSecretStore } from '../../electron/core/license/index.ts';
import { createDesktop } from '../../electron/core/services.ts';
import { tempHome } from './fixtures.ts';

test('trash channels: list what was deleted, restore it, delete it forever; bad payloads refused', async () => {
  const home = await tempHome('earshot-trash-');
  const d = await createDesktop({ home, secretStore: new FileSecretStore(path.join(home, 'key')) });
  const base = { duration: 3, language: 'en', model: 'm', segments: [] };
  const keep = await d.library.create({ ...base, title: 'Keep me' });
  const drop = await d.library.create({ ...base, title: 'Drop me' });
  const ok = async <T>(channel: string, ...args: unknown[]): Promise<T> => {
    const r = await d.dispatch(channel, args);
    assert.ok(r.ok, `${channel}: ${JSON.stringify(!r.ok && r.error)}`);
    return r.value as T;
  };
  const refused = async (channel: string, args: unknown[]) => {
    const r = await d.dispatch(channel, args);
    assert.equal(!r.ok && r.error.code, 'INVALID_PARAMETER', `${channel} ${JSON.stringify(args)}`);
  };

  assert.deepEqual(await ok('transcripts:listTrash'), []);
  await ok('transcripts:remove', keep.id);
  await ok('transcripts:remove', drop.id);
  const trash = await ok<TrashedTranscript[]>('transcripts:listTrash');
  assert.deepEqual(new Set(trash.map((t) => t.title)), new Set(['Keep me', 'Drop me']));
  for (const t of trash) {
    assert.equal(Date.parse(t.purgeAt) - Date.parse(t.deletedAt), 7 * 86400_000);
    assert.equal('segments' in t, false, 'summaries only');
  }

  for (const args of [[], [42], ['../../etc/passwd'], ['a', 'b'], ['x'.repeat(201)]]) {
    await refused('transcripts:deleteForever', args);
  }
  await refused('transcripts:listTrash', ['extra']);
  const restored = await ok<TranscriptSummary>('transcripts:restore', keep.id);
  assert.equal(restored.title, 'Keep me');
  // Only the trash can be deleted forever.
  await refused('transcripts:deleteForever', [keep.id]);
  await ok('transcripts:deleteForever', drop.id);
  assert.deepEqual(await ok('transcripts:listTrash'), []);
  assert.equal(existsSync(path.join(home, 'transcripts', '.trash', `${drop.id}.json`)), false);
  assert.deepEqual(
    (await ok<TranscriptSummary[]>('transcripts:list')).map((t) => t.title),
    ['Keep me'],
  );
  // Titles as long as the schema allows survive a rename through the contract.
  const long = 'A long meeting title '.repeat(20).trim();
  assert.equal((await ok<TranscriptSummary>('transcripts:rename', keep.id, long)).title, long);
  await d.dispose();
  await fs.rm(home, { recursive: true, force: true });
});
