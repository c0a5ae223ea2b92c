/**
 * `earshot transcribe --diarize [--speakers N]` with the bundled demo model on a synthetic two-voice conversation:
 * the JSON carries a speaker per segment and word and says the labels are approximate; TXT shows `SPEAKER_NN: text`;
 * bad counts are refused before any work.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { diarizationErrorRate } from '../../electron/core/diarize/der.ts';
import { buildConversation, type Conversation, writeWav } from '../../tools/diarize/conversation.ts';

const root = path.resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'earshot-cli-diarize-'));
let key = '';
let wav = '';
let conversation: Conversation;

function earshot(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'electron/cli.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, EARSHOT_HOME: path.join(tmp, 'home'), LICENSE_KEY: key, ...env },
    timeout: 180_000,
  });
}

before(() => {
  const issued = earshot(['license', 'issue', '--dev', '--customer', 'CLI tests', '--expires', '2099-01-01']);
  assert.equal(issued.status, 0, issued.stderr);
  key = issued.stdout.trim().split('\n').at(-1)!;
  conversation = buildConversation({ seed: 311, speakers: 2, turns: 8 });
  wav = path.join(tmp, 'conversation.wav');
  writeWav(wav, conversation.samples);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

test('--diarize --format json: speakers on segments and words, marked approximate', () => {
  const r = earshot(['transcribe', wav, '--diarize', '--format', 'json', '--quiet']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.diarization.method, 'classical');
  assert.equal(j.diarization.approximate, true);
  assert.deepEqual(j.diarization.speakers, ['SPEAKER_00', 'SPEAKER_01']);
  assert.ok(j.segments.length >= 4);
  for (const s of j.segments) {
    assert.match(s.speaker, /^SPEAKER_0[01]$/);
    for (const w of s.words) assert.equal(w.speaker, s.speaker, 'a segment has one speaker');
  }
  // The labelled segments agree with who really spoke (segments are shorter than turns, so score them as turns).
  const hyp = j.segments.map((s: { start: number; end: number; speaker: string }) => s);
  const der = diarizationErrorRate(conversation.turns, hyp);
  assert.ok(der.confusion < 0.1, `confusion ${(der.confusion * 100).toFixed(1)} %`);
});

test('--speakers 2 --format txt: one "SPEAKER_NN: text" line per turn; stderr says how many were found', () => {
  const r = earshot(['transcribe', wav, '--speakers', '2', '--format', 'txt']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.ok(lines.length >= 4, r.stdout);
  for (const line of lines) assert.match(line, /^SPEAKER_0[01]: \S/);
  assert.match(r.stderr, /2 speakers \(approximate, no diarization model\)/);
});

test('--diarize-with neural uses installed pyannote + WeSpeaker models (here the random-weight fixtures)', () => {
  const missing = earshot(['transcribe', wav, '--diarize-with', 'neural']);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /earshot models pull pyannote-segmentation-3\.0/);
  for (const fixture of ['pyannote-segmentation-random', 'wespeaker-resnet-random']) {
    const r = earshot(['models', 'import', path.join(root, 'test/fixtures/models', fixture)]);
    assert.equal(r.status, 0, r.stderr);
  }
  const r = earshot(['transcribe', wav, '--diarize', '--format', 'json', '--quiet']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.diarization.method, 'neural', 'auto picks the installed models');
  assert.equal(j.diarization.approximate, false);
  for (const s of j.segments) assert.match(s.speaker, /^SPEAKER_\d\d$/);
  const classical = earshot(['transcribe', wav, '--diarize-with', 'classical', '--format', 'json', '--quiet']);
  assert.equal(JSON.parse(classical.stdout).diarization.method, 'classical');
  for (const fixture of ['pyannote-segmentation-random', 'wespeaker-resnet-random']) {
    assert.equal(earshot(['models', 'remove', fixture]).status, 0);
  }
});

test('a bad --speakers value is refused before any work', () => {
  for (const bad of ['0', 'two', '33']) {
    const r = earshot(['transcribe', wav, '--speakers', bad]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /--speakers must be/);
  }
  const method = earshot(['transcribe', wav, '--diarize-with', 'magic']);
  assert.equal(method.status, 1);
  assert.match(method.stderr, /--diarize-with must be one of auto, classical, neural/);
});
