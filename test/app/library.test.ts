import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
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
  await assert.rejects(lib.get(a.id), { code: 'NOT_FOUND' });
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

test('concurrent writes to one transcript are serialised: a rename and a segment save both land', async () => {
  const { home, dir, lib, a } = await makeLibrary();
  const t = await lib.get(a.id);
  const edited = t.segments.map((s, i) => (i === 0 ? { ...s, text: 'we discuss the tea budget' } : s));
  await Promise.all([lib.rename(a.id, 'Renamed while saving'), lib.updateSegments(a.id, edited)]);
  for (const reader of [lib, new TranscriptLibrary(dir)]) {
    const after = await reader.get(a.id);
    assert.equal(after.title, 'Renamed while saving');
    assert.equal(after.segments[0].text, 'we discuss the tea budget');
  }
  // Many in flight at once, in the order they were asked.
  await Promise.all(Array.from({ length: 8 }, (_, i) => lib.rename(a.id, `Title ${i}`)));
  assert.equal((await lib.get(a.id)).title, 'Title 7');
  assert.equal((await lib.list()).find((x) => x.id === a.id)?.title, 'Title 7');
  await fs.rm(home, { recursive: true, force: true });
});

test('delete during a save: the transcript ends in the trash only, and restore brings back the saved edit', async () => {
  const { home, dir, lib, a } = await makeLibrary();
  const t = await lib.get(a.id);
  const edited = t.segments.map((s, i) => (i === 0 ? { ...s, text: 'the edit saved just before delete' } : s));
  const [saved, removed] = await Promise.allSettled([lib.updateSegments(a.id, edited), lib.remove(a.id)]);
  assert.equal(saved.status, 'fulfilled');
  assert.equal(removed.status, 'fulfilled');
  assert.deepEqual(
    (await fs.readdir(dir)).filter((n) => n.endsWith('.json')),
    [`${(await lib.list())[0].id}.json`],
    'only the other transcript is left in History',
  );
  assert.ok((await fs.readdir(path.join(dir, '.trash'))).includes(`${a.id}.json`));
  assert.equal(
    (await lib.list()).some((x) => x.id === a.id),
    false,
  );
  assert.deepEqual((await lib.search('saved just before')).length, 0);
  const restored = await lib.restore(a.id);
  assert.equal(restored.segments[0].text, 'the edit saved just before delete');
  assert.equal((await lib.search('saved just before'))[0]?.transcriptId, a.id);
  // A save after the delete is refused (not written back into History beside the trash copy).
  await lib.remove(a.id);
  await assert.rejects(lib.updateSegments(a.id, edited), { code: 'NOT_FOUND' });
  assert.equal(existsSync(path.join(dir, `${a.id}.json`)), false);
  await fs.rm(home, { recursive: true, force: true });
});

test('restore never overwrites a newer copy in History', async () => {
  const { home, dir, lib, a } = await makeLibrary();
  await lib.remove(a.id);
  // A copy in both places (as an interrupted older version could leave): History's newer copy wins.
  const newer = { ...(await readJsonFile(path.join(dir, '.trash', `${a.id}.json`))), title: 'Newer copy' };
  await fs.writeFile(path.join(dir, `${a.id}.json`), JSON.stringify(newer));
  const fresh = new TranscriptLibrary(dir);
  await assert.rejects(fresh.restore(a.id), { code: 'INVALID_PARAMETER', message: /already in History/ });
  assert.equal((await fresh.get(a.id)).title, 'Newer copy');
  assert.ok(existsSync(path.join(dir, '.trash', `${a.id}.json`)), 'the trash copy is kept');
  await fs.rm(home, { recursive: true, force: true });
});

test('titles keep up to 500 characters, as the contract allows', async () => {
  const { home, lib, a } = await makeLibrary();
  const long = 'Quarterly planning '.repeat(20).trim();
  assert.ok(long.length > 200 && long.length < 500);
  assert.equal((await lib.rename(a.id, long)).title, long);
  assert.equal((await lib.rename(a.id, 'x'.repeat(600))).title.length, 500);
  await fs.rm(home, { recursive: true, force: true });
});

test('search snippets show the match in Korean (and other text NFKD lengthens)', async () => {
  const { home, lib } = await makeLibrary();
  const korean =
    '오늘 회의에서는 다음 분기 예산과 인력 계획에 대해 오랫동안 이야기를 나누었습니다 그리고 마지막으로 서울 사무실 이전 일정을 확정했습니다';
  const c = await lib.create({
    title: '회의록',
    duration: 5,
    language: 'ko',
    model: 'm',
    segments: [seg(0, 0, korean), seg(1, 4, 'ﬁnal ﬁgures for the Åland oﬃce')],
  });
  const hits = await lib.search('사무실 이전');
  assert.equal(hits.length, 1);
  assert.equal(hits[0].transcriptId, c.id);
  assert.match(hits[0].snippet, /사무실 이전/);
  const latin = await lib.search('aland office');
  assert.match(latin[0].snippet, /Åland oﬃce/);
  await fs.rm(home, { recursive: true, force: true });
});

test('History lists from the summaries index: transcripts are not read again unless their file changed', async () => {
  const { home, dir, lib, a, b } = await makeLibrary();
  await lib.close();
  const fileA = path.join(dir, `${a.id}.json`);
  // A whole second, so that setting it again below gives the very same time.
  const when = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  await fs.utimes(fileA, when, when);
  const second = new TranscriptLibrary(dir);
  await second.list();
  await second.close();
  // Same size and time, other content: a library that read every file would leave this one out.
  await fs.writeFile(fileA, 'x'.repeat((await fs.stat(fileA)).size));
  await fs.utimes(fileA, when, when);
  const reopened = new TranscriptLibrary(dir);
  assert.deepEqual(new Set((await reopened.list()).map((t) => t.title)), new Set(['Team meeting', 'Interview']));
  await reopened.close();
  // Changed by hand (another time): read again. Added while closed: listed. Removed while closed: gone.
  const fileB = path.join(dir, `${b.id}.json`);
  await fs.writeFile(fileB, JSON.stringify({ ...(await readJsonFile(fileB)), title: 'Edited by hand' }));
  const later = new Date(Date.now() + 5000);
  await fs.utimes(fileB, later, later);
  const extra = { ...(await readJsonFile(fileB)), id: 'added-by-hand', title: 'Added by hand' };
  await fs.writeFile(path.join(dir, 'added-by-hand.json'), JSON.stringify(extra));
  await fs.rm(fileA);
  const third = new TranscriptLibrary(dir);
  assert.deepEqual(new Set((await third.list()).map((t) => t.title)), new Set(['Edited by hand', 'Added by hand']));
  assert.deepEqual(
    new Set((await third.search('taxes')).map((h) => h.title)),
    new Set(['Edited by hand', 'Added by hand']),
  );
  await third.close();
  // A damaged index, or lost search side files, cost a re-read, never a transcript.
  await fs.writeFile(path.join(dir, '.index', 'summaries.json'), '{"version":1,"live":');
  await fs.rm(path.join(dir, '.index', 'search'), { recursive: true });
  const fourth = new TranscriptLibrary(dir);
  assert.equal((await fourth.list()).length, 2);
  assert.equal((await fourth.search('taxes')).length, 2);
  await fourth.close();
  await fs.rm(home, { recursive: true, force: true });
});

test('trash: listed with its purge date, restored, or deleted forever', async () => {
  const { home, dir, lib, a, b } = await makeLibrary();
  assert.deepEqual(await lib.listTrash(), []);
  await lib.remove(a.id);
  // Deletion times are kept to the millisecond: b is deleted at a later one.
  await new Promise((r) => setTimeout(r, 5));
  await lib.remove(b.id);
  const trash = await lib.listTrash();
  assert.deepEqual(
    trash.map((t) => t.id),
    [b.id, a.id],
    'most recently deleted first',
  );
  const week = Date.parse(trash[0].purgeAt) - Date.parse(trash[0].deletedAt);
  assert.equal(week, 7 * 86400_000);
  assert.equal(trash[1].title, 'Team meeting');
  await lib.deleteForever(a.id);
  assert.equal(existsSync(path.join(dir, '.trash', `${a.id}.json`)), false);
  await assert.rejects(lib.restore(a.id), { code: 'NOT_FOUND' });
  await assert.rejects(lib.deleteForever(a.id), { code: 'NOT_FOUND' });
  await lib.restore(b.id);
  assert.deepEqual(await lib.listTrash(), []);
  assert.deepEqual((await new TranscriptLibrary(dir).listTrash()).length, 0);
  assert.deepEqual(
    (await lib.list()).map((t) => t.id),
    [b.id],
  );
  await assert.rejects(lib.deleteForever(b.id), { code: 'INVALID_PARAMETER' }, 'only trash can be deleted forever');
  await fs.rm(home, { recursive: true, force: true });
});

async function readJsonFile(file: string) {
  return JSON.parse(await fs.readFile(file, 'utf8'));
}

test('a recording transcribed again shares its audio: deleting one transcript forever keeps the other playable', async () => {
  const home = await tempHome();
  const dir = path.join(home, 'transcripts');
  const mediaDir = path.join(home, 'media');
  await fs.mkdir(mediaDir, { recursive: true });
  const recording = path.join(mediaDir, 'rec_1.webm');
  await fs.writeFile(recording, 'webm bytes');
  const lib = new TranscriptLibrary(dir, mediaDir);
  const base = { duration: 1, language: 'en', model: 'm', mediaPath: recording, segments: [] };
  const live = await lib.create({ ...base, title: 'Live recording' });
  const again = await lib.create({ ...base, title: 'Live recording (transcribed again)' });
  await lib.remove(live.id);
  await lib.deleteForever(live.id);
  assert.equal(existsSync(recording), true, 'the other transcript still plays this recording');
  await lib.remove(again.id);
  await lib.deleteForever(again.id);
  assert.equal(existsSync(recording), false, 'the last transcript that used it takes it along');
  await lib.close();
  await fs.rm(home, { recursive: true, force: true });
});
