/**
 * History's paging over the typed contract (transcripts:page, transcripts:existing) through the same validating
 * dispatcher main registers on ipcMain, against a real library on disk: the right rows for a range, newest first with
 * a total order, and the right rows again after a delete, a restore, a rename and a search.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { TranscriptPage, TranscriptSummary } from '../../electron/contract/api.ts';
import { FileSecretStore } from '../../electron/core/license/index.ts';
import { createDesktop } from '../../electron/core/services.ts';
import { TranscriptLibrary } from '../../electron/core/library/library.ts';
import { mergePage } from '../../renderer/src/features/history/paged-rows.ts';
import { transcriptFor, writeHistory } from '../../tools/bench/history-data.ts';
import { tempHome } from './fixtures.ts';

/** `bench-000123` is "Recording 123", created 123 hours after the first: newest first means highest number first. */
const idOf = (i: number) => `bench-${String(i).padStart(6, '0')}`;

async function withDesktop(
  count: number,
  run: (call: <T>(channel: string, ...args: unknown[]) => Promise<T>, home: string) => Promise<void>,
  prepare?: (dir: string) => Promise<void>,
) {
  const home = await tempHome('earshot-paging-');
  const dir = path.join(home, 'transcripts');
  await writeHistory(dir, count, 2);
  await prepare?.(dir);
  const d = await createDesktop({ home, secretStore: new FileSecretStore(path.join(home, 'key')) });
  try {
    await run(async <T>(channel: string, ...args: unknown[]) => {
      const r = await d.dispatch(channel, args);
      if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
      return r.value as T;
    }, home);
  } finally {
    await d.dispose();
    await fs.rm(home, { recursive: true, force: true });
  }
}

const ids = (p: TranscriptPage) => p.items.map((t) => t.id);

test('transcripts:page answers the rows of a range, newest first, with the total; pages tile the whole list', async () => {
  await withDesktop(120, async (call) => {
    const first = await call<TranscriptPage>('transcripts:page', 0, 50);
    assert.equal(first.total, 120);
    assert.equal(first.offset, 0);
    assert.deepEqual(
      ids(first),
      Array.from({ length: 50 }, (_, k) => idOf(119 - k)),
    );
    assert.equal(first.items[0].title, 'Recording 119');
    assert.equal('segments' in first.items[0], false, 'summaries only');
    assert.match(first.items[0].preview ?? '', /\w/);

    const middle = await call<TranscriptPage>('transcripts:page', 37, 5);
    assert.deepEqual(ids(middle), [idOf(82), idOf(81), idOf(80), idOf(79), idOf(78)]);
    // The last page is short; past the end is empty (the total still says how many there are).
    assert.deepEqual(
      ids(await call<TranscriptPage>('transcripts:page', 100, 50)),
      Array.from({ length: 20 }, (_, k) => idOf(19 - k)),
    );
    const past = await call<TranscriptPage>('transcripts:page', 500, 50);
    assert.deepEqual(past.items, []);
    assert.equal(past.total, 120);

    // Read page by page, the rows are exactly those of the whole list, in its order.
    const all = await call<TranscriptSummary[]>('transcripts:list');
    const paged: string[] = [];
    for (let at = 0; at < 120; at += 7) paged.push(...ids(await call<TranscriptPage>('transcripts:page', at, 7)));
    assert.deepEqual(
      paged,
      all.map((t) => t.id),
    );
    assert.equal((await call<TranscriptPage>('transcripts:page', 0, 1)).version, first.version, 'nothing changed');
  });
});

test('transcripts:page after a delete, a restore, a rename and a search: rows move, the version changes', async () => {
  await withDesktop(60, async (call) => {
    const before = await call<TranscriptPage>('transcripts:page', 0, 10);
    // Deleting the 3rd newest moves every later row up by one, and the total down.
    await call('transcripts:remove', idOf(57));
    const afterDelete = await call<TranscriptPage>('transcripts:page', 0, 10);
    assert.equal(afterDelete.total, 59);
    assert.notEqual(afterDelete.version, before.version);
    assert.deepEqual(ids(afterDelete), [59, 58, 56, 55, 54, 53, 52, 51, 50, 49].map(idOf));
    // A row near the end of the list is one place earlier too.
    assert.deepEqual(ids(await call<TranscriptPage>('transcripts:page', 57, 5)), [idOf(1), idOf(0)]);

    // Restored (undo), it is back in its place.
    await call('transcripts:restore', idOf(57));
    const restored = await call<TranscriptPage>('transcripts:page', 0, 10);
    assert.equal(restored.total, 60);
    assert.ok(restored.version > afterDelete.version);
    assert.deepEqual(ids(restored), ids(before));

    // Renamed, it keeps its place (History is ordered by creation time) and shows the new title.
    await call('transcripts:rename', idOf(55), 'Budget review');
    const renamed = await call<TranscriptPage>('transcripts:page', 3, 3);
    assert.ok(renamed.version > restored.version);
    assert.deepEqual(
      renamed.items.map((t) => [t.id, t.title]),
      [
        [idOf(56), 'Recording 56'],
        [idOf(55), 'Budget review'],
        [idOf(54), 'Recording 54'],
      ],
    );

    // A search changes nothing in the list.
    const hits = await call<unknown[]>('transcripts:search', 'budget review');
    assert.equal(hits.length, 1);
    const afterSearch = await call<TranscriptPage>('transcripts:page', 3, 3);
    assert.deepEqual(afterSearch, renamed);

    // A deleted one is no longer "existing" (the queue's open links); unknown ids are not either.
    await call('transcripts:remove', idOf(10));
    assert.deepEqual(await call('transcripts:existing', [idOf(10), idOf(11), 'nope', idOf(59)]), [idOf(11), idOf(59)]);
    assert.deepEqual(await call('transcripts:existing', []), []);
  });
});

test('transcripts:page orders transcripts made in the same instant by id, so pages never repeat or skip one', async () => {
  const stamp = '2024-05-01T10:00:00.000Z';
  const names = ['k', 'c', 'x', 'a', 'm', 'b', 'z', 'd'];
  await withDesktop(
    3,
    async (call) => {
      // A delete and restore (undo) brings one back last in the library's own order: the list's order must not care.
      await call('transcripts:remove', 'same-a');
      await call('transcripts:restore', 'same-a');
      const list = await call<TranscriptSummary[]>('transcripts:list');
      // The three bench transcripts are older (2020); the eight made together come first, in id order.
      assert.deepEqual(
        list.map((t) => t.id),
        [...[...names].sort().map((n) => `same-${n}`), idOf(2), idOf(1), idOf(0)],
      );
      const paged: string[] = [];
      for (let at = 0; at < list.length; at += 3)
        paged.push(...ids(await call<TranscriptPage>('transcripts:page', at, 3)));
      assert.deepEqual(
        paged,
        list.map((t) => t.id),
      );
    },
    async (dir) => {
      // Written in an order that is not the id order (the folder's order decides ties without the tie-break).
      for (const n of names) {
        const t = {
          id: `same-${n}`,
          title: n,
          createdAt: stamp,
          updatedAt: stamp,
          duration: 1,
          language: 'en',
          model: 'm',
          segments: [],
        };
        await fs.writeFile(path.join(dir, `same-${n}.json`), JSON.stringify(t));
      }
    },
  );
});

test('transcripts:page and transcripts:existing refuse malformed ranges and ids', async () => {
  await withDesktop(2, async (call) => {
    const bad = [[], [0], [-1, 10], [0, 0], [0, 501], [1.5, 10], ['0', '10'], [0, 10, 'extra']];
    for (const args of bad) {
      await assert.rejects(call('transcripts:page', ...args), { code: 'INVALID_PARAMETER' }, JSON.stringify(args));
    }
    for (const args of [[], ['x'], [[42]], [['']], [['x'.repeat(201)]]]) {
      await assert.rejects(call('transcripts:existing', ...args), { code: 'INVALID_PARAMETER' }, JSON.stringify(args));
    }
    assert.equal((await call<TranscriptPage>('transcripts:page', 0, 500)).items.length, 2);
  });
});

test('while the library opens, a page comes from the summaries index as last saved, then checked against the folder', async () => {
  const home = await tempHome('earshot-paging-open-');
  const dir = path.join(home, 'transcripts');
  try {
    await writeHistory(dir, 5, 2);
    const first = new TranscriptLibrary(dir);
    assert.equal((await first.page(0, 10)).checked, true, 'no saved index yet: nothing to show before the check');
    await first.close(); // saves the summaries index
    // While the app was closed (or in a crash before the index was saved): one transcript added, one deleted by hand.
    const added = { ...transcriptFor(9, 10, 2), id: 'added-later', title: 'Added later' };
    await fs.writeFile(path.join(dir, 'added-later.json'), JSON.stringify(added));
    await fs.rm(path.join(dir, `${idOf(3)}.json`));

    const lib = new TranscriptLibrary(dir);
    const saved = await lib.page(0, 10);
    assert.equal(saved.checked, false);
    assert.equal(saved.version, 0);
    assert.deepEqual(ids(saved), [4, 3, 2, 1, 0].map(idOf), 'the list as last saved');
    const checked = await lib.page(0, 10, true);
    assert.equal(checked.checked, true);
    assert.ok(checked.version > saved.version);
    assert.deepEqual(ids(checked), ['added-later', idOf(4), idOf(2), idOf(1), idOf(0)]);
    // History's window: the checked page replaces the saved one.
    const rows = mergePage(mergePage(undefined, saved), checked);
    assert.deepEqual(
      rows.rows.map((t) => t?.id),
      ids(checked),
    );
    // Once open, every page is checked.
    assert.deepEqual(await lib.page(0, 10), checked);
    await lib.close();
  } finally {
    await fs.rm(home, { recursive: true, force: true });
  }
});
