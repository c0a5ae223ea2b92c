import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Segment } from '../../electron/core/asr/types.ts';
import { buildCues } from '../../electron/core/export/captions.ts';
import { exportTranscript, toCsv, toJson, toSrt, toTxt, toVtt } from '../../electron/core/export/index.ts';
import { timecode } from '../../electron/core/export/timecode.ts';

const seg = (id: number, start: number, end: number, text: string, words?: Segment['words']): Segment => ({
  id,
  start,
  end,
  text,
  words,
  avgLogprob: -0.2,
  noSpeechProb: 0.01,
});

const transcript = {
  title: 'Interview',
  language: 'en',
  duration: 3725.5,
  model: 'demo-en',
  segments: [
    seg(0, 0, 2.5, ' Hello, "world".', [
      { word: 'Hello,', start: 0, end: 1, confidence: 0.9 },
      { word: '"world".', start: 1.2, end: 2.5, confidence: 0.4 },
    ]),
    seg(1, 3661.25, 3663.999, ' Second line'),
  ],
};

test('timecodes round once and carry across units', () => {
  assert.equal(timecode(3661.25, ','), '01:01:01,250');
  assert.equal(timecode(59.9996, '.'), '00:01:00.000');
  assert.equal(timecode(-1, ','), '00:00:00,000');
});

test('txt with and without timestamps', () => {
  assert.equal(toTxt(transcript), 'Hello, "world".\nSecond line\n');
  assert.equal(toTxt(transcript, true), '[00:00] Hello, "world".\n[1:01:01] Second line\n');
});

test('srt numbers cues and uses comma milliseconds', () => {
  assert.equal(
    toSrt(transcript),
    '1\n00:00:00,000 --> 00:00:02,500\nHello, "world".\n\n2\n01:01:01,250 --> 01:01:03,999\nSecond line\n',
  );
});

test('vtt has its header and dot milliseconds', () => {
  const vtt = toVtt(transcript);
  assert.ok(vtt.startsWith('WEBVTT\n\n00:00:00.000 --> 00:00:02.500\nHello, "world".\n'));
});

test('long segments are split into cues within the line-length limits, times from words', () => {
  const words = Array.from({ length: 40 }, (_, i) => ({ word: `word${i}`, start: i, end: i + 0.5, confidence: 1 }));
  const cues = buildCues([seg(0, 0, 40, words.map((w) => w.word).join(' '), words)], {
    maxLineLength: 20,
    maxLines: 2,
  });
  assert.ok(cues.length > 1);
  for (const c of cues) {
    assert.ok(c.lines.length <= 2, `cue has ${c.lines.length} lines`);
    for (const l of c.lines) assert.ok(l.length <= 20, `line too long: ${l}`);
  }
  assert.equal(cues[0].start, 0);
  assert.equal(cues.at(-1)!.end, 39.5);
  assert.equal(cues.flatMap((c) => c.lines.join(' ').split(' ')).length, 40, 'no word lost');
});

test('segments without words share their time in proportion to characters', () => {
  const cues = buildCues([seg(0, 10, 20, 'aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj')], {
    maxLineLength: 10,
    maxLines: 1,
  });
  assert.equal(cues.length, 5);
  assert.equal(cues[0].start, 10);
  assert.ok(Math.abs(cues.at(-1)!.end - 20) < 1e-9);
});

test('json keeps word-level data and the full text', () => {
  const j = JSON.parse(toJson(transcript));
  assert.equal(j.text, 'Hello, "world". Second line');
  assert.equal(j.segments[0].words[1].confidence, 0.4);
  assert.equal(j.segments[1].words.length, 0);
});

test('csv quotes text and doubles inner quotes', () => {
  assert.equal(
    toCsv(transcript),
    'start,end,text\r\n0.000,2.500,"Hello, ""world""."\r\n3661.250,3663.999,"Second line"\r\n',
  );
});

test('docx is a Word document holding the transcript text', async () => {
  const out = await exportTranscript(transcript, 'docx');
  assert.equal(out.extension, 'docx');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-docx-'));
  try {
    const file = path.join(dir, 't.docx');
    writeFileSync(file, out.data);
    const xml = execFileSync('unzip', ['-p', file, 'word/document.xml'], { encoding: 'utf8' });
    assert.match(xml, /Interview/);
    assert.match(xml, /Second line/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
