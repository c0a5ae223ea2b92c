/**
 * Exports of a diarized transcript carry the speakers (the names the user gave them): `Name: text` in TXT, voice
 * tags in SRT and VTT, a speaker column in CSV, a bold name in DOCX, `speaker` per segment and word in JSON.
 * Transcripts without speakers keep their old shapes (export.test.ts).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Segment } from '../../electron/core/asr/types.ts';
import { exportTranscript, toCsv, toJson, toSrt, toTxt, toVtt } from '../../electron/core/export/index.ts';

const seg = (id: number, start: number, end: number, text: string, speaker: string): Segment => ({
  id,
  start,
  end,
  text,
  speaker,
  words: text
    .trim()
    .split(' ')
    .map((w, i, all) => ({
      word: w,
      start: start + ((end - start) * i) / all.length,
      end: start + ((end - start) * (i + 1)) / all.length,
      confidence: 0.9,
      speaker,
    })),
  avgLogprob: -0.2,
  noSpeechProb: 0,
});

const transcript = {
  title: 'Interview',
  language: 'en',
  duration: 12,
  segments: [
    seg(0, 0, 2, ' Good morning.', 'Alice'),
    seg(1, 2.2, 4, ' How are you?', 'Alice'),
    seg(2, 5, 7, ' Fine, thanks.', 'Bob'),
    seg(3, 8, 9, ' Great.', 'Alice'),
  ],
};

test('TXT: "Name: text", one line per turn; with timestamps one line per segment', () => {
  assert.equal(toTxt(transcript), 'Alice: Good morning. How are you?\nBob: Fine, thanks.\nAlice: Great.\n');
  assert.equal(
    toTxt(transcript, true),
    '[00:00] Alice: Good morning.\n[00:02] Alice: How are you?\n[00:05] Bob: Fine, thanks.\n[00:08] Alice: Great.\n',
  );
});

test('SRT and VTT: each cue starts with the voice tag of its speaker', () => {
  const srt = toSrt(transcript);
  assert.match(srt, /^1\n00:00:00,000 --> 00:00:02,000\n<v Alice>Good morning\.\n/);
  assert.match(srt, /\n3\n00:00:05,000 --> 00:00:07,000\n<v Bob>Fine, thanks\.\n/);
  const vtt = toVtt(transcript);
  assert.ok(vtt.startsWith('WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v Alice>Good morning.\n'), vtt);
  assert.equal(vtt.match(/<v Bob>/g)?.length, 1);
});

test('a speaker name cannot break out of its voice tag', () => {
  const evil = { ...transcript, segments: [seg(0, 0, 1, ' Hi.', 'Eve> <b>&\nX')] };
  const vtt = toVtt(evil);
  assert.match(vtt, /\n<v Eve b X>Hi\.\n/);
});

test('CSV gains a speaker column; JSON has speaker per segment and per word, and the list of speakers', () => {
  const csv = toCsv(transcript).split('\r\n');
  assert.equal(csv[0], 'start,end,speaker,text');
  assert.equal(csv[3], '5.000,7.000,"Bob","Fine, thanks."');
  const json = JSON.parse(toJson(transcript));
  assert.deepEqual(json.speakers, ['Alice', 'Bob']);
  assert.equal(json.segments[2].speaker, 'Bob');
  assert.deepEqual(
    json.segments[2].words.map((w: { speaker: string }) => w.speaker),
    ['Bob', 'Bob'],
  );
});

test('DOCX puts each speaker name in bold before the text', async () => {
  const out = await exportTranscript(transcript, 'docx');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-docx-'));
  try {
    const file = path.join(dir, 't.docx');
    writeFileSync(file, out.data as Uint8Array);
    const xml = execFileSync('unzip', ['-p', file, 'word/document.xml'], { encoding: 'utf8' });
    assert.match(xml, /<w:b\/>(?:(?!<\/w:r>).)*<w:t xml:space="preserve">Bob: <\/w:t>/s);
    assert.match(xml, /Fine, thanks\./);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
