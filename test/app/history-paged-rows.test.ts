/**
 * How History's window holds pages (renderer/src/features/history/paged-rows.ts), fed with real pages from a real
 * library: rows land where the range says, a page from a newer list replaces what is held, a late one from an older
 * list is dropped, and a delete or rename made here is not undone by a page read before it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { TranscriptPage } from '../../electron/contract/api.ts';
import { TranscriptLibrary } from '../../electron/core/library/library.ts';
import {
  cleared,
  mergePage,
  PAGE_SIZE,
  type PagedRows,
  pageOf,
  withoutRow,
  withRow,
} from '../../renderer/src/features/history/paged-rows.ts';
import { writeHistory } from '../../tools/bench/history-data.ts';
import { tempHome } from './fixtures.ts';

const idOf = (i: number) => `bench-${String(i).padStart(6, '0')}`;
const held = (r: PagedRows) => r.rows.map((t) => t?.id);

test('History rows: pages land in their range, a newer list replaces them, a late older page is dropped', async () => {
  const home = await tempHome('earshot-paged-rows-');
  const lib = new TranscriptLibrary(path.join(home, 'transcripts'));
  try {
    await writeHistory(path.join(home, 'transcripts'), 130, 2);
    const page = (n: number): Promise<TranscriptPage> => lib.page(n * PAGE_SIZE, PAGE_SIZE);
    assert.equal(pageOf(0), 0);
    assert.equal(pageOf(PAGE_SIZE - 1), 0);
    assert.equal(pageOf(PAGE_SIZE), 1);

    const p0 = await page(0);
    const p2 = await page(2);
    let rows = mergePage(mergePage(undefined, p2), p0);
    assert.equal(rows.total, 130);
    assert.equal(rows.rows.length, 130);
    // Rows 0-49 and 100-129 are held, 50-99 not yet.
    assert.deepEqual(held(rows).slice(0, 3), [idOf(129), idOf(128), idOf(127)]);
    assert.equal(held(rows)[50], undefined);
    assert.equal(held(rows)[99], undefined);
    assert.deepEqual(
      held(rows).slice(100),
      Array.from({ length: 30 }, (_, k) => idOf(29 - k)),
    );

    // The list changes in the core (a transcript deleted elsewhere): a page of the new version replaces every row,
    // since those held are one place off now; a page read before the change and answered late is dropped.
    const stale = await page(1);
    await lib.remove(idOf(100));
    const fresh = await page(1);
    rows = mergePage(rows, fresh);
    assert.equal(rows.total, 129);
    assert.equal(held(rows)[0], undefined, 'rows of the older list are not kept');
    assert.equal(held(rows)[PAGE_SIZE], idOf(78), 'row 50 was row 51');
    assert.equal(mergePage(rows, stale), rows, 'a late page of the older list is dropped');
    rows = mergePage(rows, await page(0));
    assert.equal(new Set(held(rows).filter(Boolean)).size, 100, 'no transcript held twice');
    assert.ok(!held(rows).includes(idOf(100)));

    // Deleted here: out at once, later rows move up. A page read before the delete cannot bring it back.
    const beforeDelete = await page(0);
    await lib.remove(idOf(128));
    rows = withoutRow(rows, idOf(128));
    assert.equal(rows.total, 128);
    assert.deepEqual(held(rows).slice(0, 3), [idOf(129), idOf(127), idOf(126)]);
    assert.equal(mergePage(rows, beforeDelete), rows);
    // The core's next page agrees.
    const after = mergePage(rows, await page(0));
    assert.deepEqual(held(after).slice(0, PAGE_SIZE), held(rows).slice(0, PAGE_SIZE));

    // Renamed here: in place, with the new title.
    await lib.rename(idOf(127), 'Budget review');
    rows = withRow(after, idOf(127), { title: 'Budget review' });
    assert.equal(rows.rows[1]?.title, 'Budget review');
    assert.equal(withRow(rows, 'unknown', { title: 'x' }), rows);
    assert.equal(withoutRow(rows, 'unknown'), rows);
    rows = mergePage(rows, await page(0));
    assert.equal(rows.rows[1]?.title, 'Budget review');

    // Cleared (after an undo): nothing held, the count kept (so the scroll position stays).
    const empty = cleared(rows);
    assert.equal(empty.total, rows.total);
    assert.equal(empty.rows.filter(Boolean).length, 0);
  } finally {
    await lib.close();
    await fs.rm(home, { recursive: true, force: true });
  }
});
