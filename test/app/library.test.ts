import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { Segment } from '../../electron/core/asr/types.ts';
import { TranscriptLibrary } from '../../electron/core/library/library.ts';
import { tempHome } from './fixtures.ts';

function seg(id: number, start: number, text: string): Segment {
  const words = text
    .split(' ')
    .map((w, i) => ({ word: w, start: start + i * 0.3, end: start + i * 0.3 + 0.25, confidence: 0.9 }));
  return { id, start, end: start + words.length * 0.3, text, words, avgLogprob: -0.2, noSpeechProb: 0 };
}

async function makeLibrary() {
  const home = await tempHome();
  const dir = path.join(home, 'transcripts');
  const lib = new TranscriptLibrary(dir);
  const base = { duration: 10, language: 'en', model: 'demo-en', mediaPath: '/x/a.wav' };
  const a = await lib.create({
    ...base,
    title: 'Team meeting',
    segments: [seg(0, 0, 'we discuss the Café budget'), seg(1, 3, 'then lunch')],
  });
  const b = await lib.create({ ...base, title: 'Interview', segments: [seg(0, 0, 'a budget question about taxes')] });
  return { home, dir, lib, a, b };
}

test('create, list newest first, get, and a reopen reads the same from disk', async () => {
  const { home, dir, lib, a, b } = await makeLibrary();
  const list = await lib.list();
  assert.deepEqual(new Set(list.map((t) => t.id)), new Set([a.id, b.id]));
  assert.ok(list[0].createdAt >= list[1].createdAt, 'newest first');
  assert.equal(list.find((t) => t.id === a.id)?.preview, 'we discuss the Café budget then lunch');
  const again = new TranscriptLibrary(dir);
  assert.deepEqual(await again.get(a.id), await lib.get(a.id));
  await assert.rejects(lib.get('../../etc/passwd'), { code: 'INVALID_PARAMETER' });
  await fs.rm(home, { recursive: true, force: true });
});

test('edits replace the segments and keep the recognised original; rename persists', async () => {
  const { home, dir, lib, a } = await makeLibrary();
  const t = await lib.get(a.id);
  t.segments[0] = { ...t.segments[0], text: 'we discuss the cafe budget' };
  await lib.updateSegments(a.id, t.segments);
  await lib.rename(a.id, '  Budget review ');
  const reopened = await new TranscriptLibrary(dir).get(a.id);
  assert.equal(reopened.title, 'Budget review');
  assert.equal(reopened.segments[0].text, 'we discuss the cafe budget');
  assert.equal(reopened.originalSegments?.[0].text, 'we discuss the Café budget');
  await assert.rejects(lib.rename(a.id, '   '), { code: 'INVALID_PARAMETER' });
  await fs.rm(home, { recursive: true, force: true });
});

test('search is case- and accent-insensitive across all transcripts, with snippets and times', async () => {
  const { home, lib, a, b } = await makeLibrary();
  const hits = await lib.search('BUDGET');
  assert.deepEqual(new Set(hits.map((h) => h.transcriptId)), new Set([a.id, b.id]));
  const cafe = await lib.search('cafe');
  assert.equal(cafe.length, 1);
  assert.equal(cafe[0].transcriptId, a.id);
  assert.match(cafe[0].snippet, /Café budget/);
  const lunch = await lib.search('lunch');
  assert.equal(lunch[0].start, 3);
  assert.deepEqual(await lib.search('  '), []);
  await fs.rm(home, { recursive: true, force: true });
});

test('delete moves to the trash and restore (undo) brings it back intact', async () => {
  const { home, dir, lib, a } = await makeLibrary();
  const before = await lib.get(a.id);
  await lib.remove(a.id);
  assert.equal(
    (await lib.list()).some((t) => t.id === a.id),
    false,
  );
  assert.equal((await lib.search('lunch')).length, 0);
  await assert.rejects(lib.get(a.id), { code: 'INVALID_PARAMETER' });
  assert.ok((await fs.readdir(path.join(dir, '.trash'))).includes(`${a.id}.json`));
  await lib.restore(a.id);
  assert.deepEqual(await lib.get(a.id), before);
  await assert.rejects(lib.restore(a.id), { code: 'INVALID_PARAMETER' });
  // Trash older than a week is purged when a library opens, with media the app downloaded for it (only that).
  const mediaDir = path.join(home, 'media');
  await fs.mkdir(mediaDir);
  const downloaded = path.join(mediaDir, 'job.mp3');
  await fs.writeFile(downloaded, 'x');
  const c = await lib.create({
    title: 'From a link',
    duration: 1,
    language: 'en',
    model: 'm',
    mediaPath: downloaded,
    segments: [],
  });
  await lib.remove(a.id);
  await lib.remove(c.id);
  const old = new Date(Date.now() - 8 * 86400_000);
  for (const id of [a.id, c.id]) await fs.utimes(path.join(dir, '.trash', `${id}.json`), old, old);
  await new TranscriptLibrary(dir, mediaDir).list();
  assert.deepEqual(await fs.readdir(path.join(dir, '.trash')), []);
  assert.deepEqual(await fs.readdir(mediaDir), [], 'downloaded media went with its transcript');
  await fs.rm(home, { recursive: true, force: true });
});
