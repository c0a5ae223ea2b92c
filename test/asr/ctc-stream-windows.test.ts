/**
 * Window planning for the CTC engine over a stream (planWindows): speech synthesised with espeak-ng at test time,
 * fed in odd-sized chunks, with VAD blocks shortened so that a short recording crosses several block borders.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { decodeToPcm16k, detectSpeech } from '../../electron/core/audio/index.ts';
import { planWindows } from '../../electron/core/asr/ctc/stream-windows.ts';
import { type CtcWindow, fixedWindows } from '../../electron/core/asr/ctc/windows.ts';
import { ArraySource, StreamSource } from '../../electron/core/asr/pcm-source.ts';

const SR = 16000;
let tmp: string;
let speech: Float32Array;

async function* chunks(samples: Float32Array, size = 7919): AsyncGenerator<Float32Array> {
  for (let i = 0; i < samples.length; i += size) yield samples.slice(i, i + size);
}

/** Runs the planner like the engine does: view each window, then release what is before it. */
async function consume(source: StreamSource | ArraySource, maxSeconds: number, options = {}) {
  const windows: CtcWindow[] = [];
  let peak = 0;
  for await (const w of planWindows(source, maxSeconds, options)) {
    const from = Math.floor(w.start * SR);
    const view = source.view(from, Math.ceil(w.end * SR));
    assert.equal(view.length, Math.min(Math.ceil(w.end * SR), source.available) - from, 'the window is buffered');
    windows.push(w);
    source.release(from);
    if (source instanceof StreamSource) peak = Math.max(peak, source.buffered);
  }
  return { windows, peak };
}

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'earshot-plan-'));
  const sentences = [
    'the weather was cold and the children stayed inside all day',
    'she opened the window and looked at the garden',
    'he bought some bread and milk on the way home',
  ];
  const parts: Float32Array[] = [];
  for (const [i, s] of sentences.entries()) {
    const file = path.join(tmp, `${i}.wav`);
    execFileSync('espeak-ng', ['-v', 'en-us', '-w', file, s]);
    parts.push((await decodeToPcm16k(file)).samples);
  }
  // Speech, 1.5 s pauses, repeated: about 45 s.
  const gap = new Float32Array(1.5 * SR);
  const all = [...parts, ...parts, ...parts].flatMap((p) => [p, gap]);
  speech = new Float32Array(all.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of all) {
    speech.set(p, at);
    at += p.length;
  }
});
after(() => rmSync(tmp, { recursive: true, force: true }));

test('VAD blocks over a stream: every speech region lands in a window, in order, with bounded memory', async () => {
  const { windows, peak } = await consume(new StreamSource(chunks(speech)), 20, { blockSeconds: 9 });
  const regions = await detectSpeech(speech, { speechPadMs: 300, minSilenceMs: 300 });
  assert.ok(regions.length >= 6, `${regions.length} regions`);
  // Each stretch of speech is whole inside one window: none is cut at a block border (VAD on a block may place
  // an edge a little differently from VAD on the whole, hence the tolerance).
  for (const r of regions) {
    assert.ok(
      windows.some((w) => w.start <= r.start + 0.35 && r.end - 0.35 <= w.end),
      `speech ${r.start.toFixed(2)}–${r.end.toFixed(2)} s is inside one window`,
    );
  }
  for (let i = 1; i < windows.length; i++) assert.ok(windows[i].start >= windows[i - 1].start, 'windows in order');
  for (const w of windows) assert.ok(w.end - w.start <= 20 + 1e-9 && w.end <= speech.length / SR + 1e-9);
  // A 9 s block plus one 20 s window of look-ahead, plus a chunk: far less than the 45 s recording.
  assert.ok(peak <= (9 + 20) * SR + 8000, `peak buffer ${(peak / SR).toFixed(1)} s`);
  assert.ok(peak < speech.length * 0.8);
});

test('no speech is planned twice: windows from VAD never overlap', async () => {
  const { windows } = await consume(new StreamSource(chunks(speech)), 20, { blockSeconds: 9 });
  for (let i = 1; i < windows.length; i++) {
    assert.ok(
      windows[i].start >= windows[i - 1].end - 1e-9,
      `${JSON.stringify(windows[i - 1])} ${JSON.stringify(windows[i])}`,
    );
  }
});

test('without VAD, a stream gets the same overlapping windows as the whole array', async () => {
  const { windows } = await consume(new StreamSource(chunks(speech, 5000)), 20, { vad: false });
  const whole = fixedWindows(0, speech.length / SR, 20);
  assert.equal(windows.length, whole.length);
  windows.forEach((w, i) => {
    assert.ok(Math.abs(w.start - whole[i].start) < 1e-9 && Math.abs(w.end - whole[i].end) < 1e-9);
    assert.equal(w.ownStart, whole[i].ownStart);
    assert.equal(w.ownEnd, whole[i].ownEnd);
  });
});

test('short input is one window, and empty input none', async () => {
  const short = speech.subarray(0, 5 * SR);
  assert.deepEqual((await consume(new ArraySource(short), 20)).windows, [
    { start: 0, end: 5, ownStart: -Infinity, ownEnd: Infinity },
  ]);
  assert.deepEqual((await consume(new StreamSource(chunks(new Float32Array(0))), 20)).windows, []);
});
