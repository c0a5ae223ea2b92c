/** The shared streaming decision logic (server WebSocket and desktop microphone use the same decider). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CHUNK_SECONDS,
  LiveDecider,
  LIVE_RATE,
  quietestCut,
  SEARCH_SECONDS,
} from '../../electron/core/live/decider.ts';

const tone = (seconds: number, amplitude = 0.5) =>
  Float32Array.from({ length: Math.round(seconds * LIVE_RATE) }, (_, i) => amplitude * Math.sin(i / 5));

test('a chunk is due once 5 s are pending, cut at the quietest moment of its last 1.5 s', () => {
  const d = new LiveDecider();
  const audio = tone(6);
  // A pause at 4.2 s: the cut lands in it.
  audio.fill(0, Math.round(4.2 * LIVE_RATE), Math.round(4.3 * LIVE_RATE));
  d.append(audio.subarray(0, 4.9 * LIVE_RATE));
  assert.equal(d.takeDue(), undefined, 'not before 5 s');
  d.append(audio.subarray(4.9 * LIVE_RATE));
  const chunk = d.takeDue()!;
  assert.equal(chunk.from, 0);
  assert.ok(chunk.to > 4.2 * LIVE_RATE && chunk.to < 4.3 * LIVE_RATE, `cut at ${chunk.to / LIVE_RATE} s`);
  assert.deepEqual(chunk.samples, audio.subarray(0, chunk.to));
  assert.equal(d.decidedSamples, chunk.to);
  assert.equal(d.pendingSamples, audio.length - chunk.to);
  const rest = d.takeAll();
  assert.deepEqual([rest.from, rest.to], [chunk.to, audio.length]);
  assert.deepEqual(rest.samples, audio.subarray(chunk.to));
});

test('interim transcripts are due once per second of new undecided audio', () => {
  const d = new LiveDecider();
  d.append(tone(0.9));
  assert.equal(d.interimDue(), false);
  d.append(tone(0.2));
  assert.equal(d.interimDue(), true);
  const interim = d.takeInterim();
  assert.deepEqual([interim.from, interim.to], [0, 1.1 * LIVE_RATE]);
  assert.equal(d.pendingSamples, 1.1 * LIVE_RATE, 'an interim decides nothing');
  assert.equal(d.interimDue(), false);
  d.append(tone(1));
  assert.equal(d.interimDue(), true);
  d.takeAll();
  assert.equal(d.interimDue(), false, 'a decision starts the count again');
});

test('quietestCut finds the silent frame, and the search window is the chunk tail', () => {
  const audio = tone(CHUNK_SECONDS);
  const end = CHUNK_SECONDS * LIVE_RATE;
  audio.fill(0, end - 8000, end - 7000);
  const cut = quietestCut(audio, end - SEARCH_SECONDS * LIVE_RATE, end);
  assert.ok(cut >= end - 8000 && cut <= end - 7000);
  // Outside the window a quieter spot is ignored.
  audio.fill(0, 1000, 2000);
  assert.equal(quietestCut(audio, end - SEARCH_SECONDS * LIVE_RATE, end), cut);
});

test('audio given back after a cut is decided again with what follows', () => {
  const d = new LiveDecider();
  const audio = tone(6);
  d.append(audio);
  const chunk = d.takeDue()!;
  d.giveBack(chunk.samples.slice(LIVE_RATE));
  assert.equal(d.decidedSamples, LIVE_RATE);
  const rest = d.takeAll();
  assert.equal(rest.from, LIVE_RATE);
  assert.deepEqual(rest.samples, audio.subarray(LIVE_RATE));
});
