/**
 * Subtitle and CSV exports of hostile or unusual text, read back by the readers players and spreadsheets use:
 * Chromium's own WebVTT parser and ffmpeg's SRT reader must give back exactly the words, in order, within the limits.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { Segment } from '../../electron/core/asr/types.ts';
import { toCsv, toSrt, toVtt } from '../../electron/core/export/index.ts';
import { chromiumVttCues, closeParsers, ffmpegSrtCues, type ParsedCue } from './parsers.ts';

after(closeParsers);

const seg = (id: number, start: number, end: number, text: string, words?: Segment['words']): Segment => ({
  id,
  start,
  end,
  text,
  words,
  avgLogprob: -0.2,
  noSpeechProb: 0.01,
});

const doc = (segments: Segment[]) => ({ language: 'en', duration: 60, segments });

/** Cue text as a viewer reads it: lines joined by spaces, zero-width spaces dropped. */
const seen = (cues: ParsedCue[]) => cues.map((c) => c.text.replaceAll('\u200b', '').replace(/\s+/g, ' ').trim());

const HOSTILE = [
  seg(0, 0, 2, 'a < b & c > d'),
  seg(1, 2, 4, 'x --> y'),
  seg(2, 4, 6, '--> at the start'),
  seg(3, 6, 8, 'tags <b>bold</b> and <i>it</i> &amp; {\\an8}top'),
  seg(4, 8, 10, 'before\u0000after'),
  seg(5, 10, 12, 'last one'),
];
const WANT = [
  'a < b & c > d',
  'x --> y',
  '--> at the start',
  'tags <b>bold</b> and <i>it</i> &amp; {\\an8}top',
  'beforeafter',
  'last one',
];

test('VTT: Chromium reads back <, &, >, --> and tags as the words that were said, and a NUL loses nothing after it', async () => {
  const cues = await chromiumVttCues(toVtt(doc(HOSTILE)));
  assert.deepEqual(seen(cues), WANT);
});

test('SRT: ffmpeg reads back every cue with its words, through <, &, -->, {\\…} and a NUL', () => {
  const cues = ffmpegSrtCues(toSrt(doc(HOSTILE)));
  assert.deepEqual(seen(cues), WANT);
});

const CJK =
  '今日はとても良い天気ですね。明日も晴れるといいのですが、天気予報では雨が降るそうです。傘を忘れないでください。';

for (const [format, read] of [
  ['VTT', async (d: ReturnType<typeof doc>) => chromiumVttCues(toVtt(d, { maxLineLength: 16, maxLines: 2 }))],
  ['SRT', async (d: ReturnType<typeof doc>) => ffmpegSrtCues(toSrt(d, { maxLineLength: 16, maxLines: 2 }))],
] as const) {
  test(`${format}: Japanese text without spaces keeps the line-length limit and every character`, async () => {
    const cues = await read(doc([seg(0, 0, 12, CJK)]));
    assert.ok(cues.length >= 2, `split into cues: ${cues.length}`);
    for (const c of cues) {
      const lines = c.text.split('\n');
      assert.ok(lines.length <= 2, JSON.stringify(c.text));
      for (const line of lines) assert.ok(line.length <= 16, `line of ${line.length}: ${line}`);
    }
    assert.equal(cues.map((c) => c.text.replaceAll('\n', '')).join(''), CJK);
  });
}

test('negative and out-of-order times give cues in order, none before zero, each lasting', async () => {
  const segments = [seg(0, -3, -1, 'first'), seg(1, -0.5, 1, 'second'), seg(2, 5, 6, 'third'), seg(3, 2, 3, 'fourth')];
  for (const cues of [await chromiumVttCues(toVtt(doc(segments))), ffmpegSrtCues(toSrt(doc(segments)))]) {
    assert.deepEqual(seen(cues), ['first', 'second', 'third', 'fourth']);
    let previous = 0;
    for (const c of cues) {
      assert.ok(c.start >= previous, `cue at ${c.start} after ${previous}`);
      assert.ok(c.end > c.start);
      previous = c.start;
    }
  }
});

test('CSV: cells that a spreadsheet would run as formulas are neutralised, text kept', () => {
  const segments = [
    seg(0, 0, 1, '=HYPERLINK("http://evil","x")'),
    seg(1, 1, 2, '+1+1'),
    seg(2, 2, 3, '-2+3'),
    seg(3, 3, 4, '@SUM(A1)'),
    seg(4, 4, 5, 'plain = fine'),
  ];
  segments[1].speaker = '=cmd|calc';
  const rows = toCsv(doc(segments)).trimEnd().split('\r\n');
  assert.equal(rows[0], 'start,end,speaker,text');
  assert.equal(rows[1], '0.000,1.000,"","\'=HYPERLINK(""http://evil"",""x"")"');
  assert.equal(rows[2], '1.000,2.000,"\'=cmd|calc","\'+1+1"');
  assert.equal(rows[3], '2.000,3.000,"","\'-2+3"');
  assert.equal(rows[4], '3.000,4.000,"","\'@SUM(A1)"');
  assert.equal(rows[5], '4.000,5.000,"","plain = fine"');
});
