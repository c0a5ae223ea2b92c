/**
 * The live host (electron/core/live/live-host.ts) over real Node MessagePorts with real frames and the bundled model:
 * the control link from its owner, and a recording's frames port from the window. It validates frames (bad ones stop
 * the recording's intake with `refused`), reports the seconds it accepts, transcribes what it received when the
 * window's end closes mid-recording, and takes no frames after a hold. Last, through the whole desktop: the main
 * thread's link to the engine carries control messages only, never a frame.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { LiveSession, TranscriptSummary } from '../../electron/contract/api.ts';
import { LiveFramesSender } from '../../electron/contract/live-frames.ts';
import { decodeToPcm16k } from '../../electron/core/audio/index.ts';
import { FileSecretStore } from '../../electron/core/license/index.ts';
import { runLiveHost } from '../../electron/core/live/live-host.ts';
import {
  LIVE_FRAMES_END,
  type LiveModelChoice,
  type LiveRequest,
  type LiveResponse,
} from '../../electron/core/live/live-protocol.ts';
import { threadLiveEngine } from '../../electron/core/live/live-thread.ts';
import { threadControlPort } from '../../electron/core/live/live-thread.ts';
import { bundledModelsDir } from '../../electron/core/paths.ts';
import { createDesktop } from '../../electron/core/services.ts';
import { demoModelAvailable, devKey, speechWav, tempHome, WHISPER_FIXTURE, wordRecall } from '../app/fixtures.ts';
import { pcm16 } from './pcm.ts';

const SENTENCE = 'the quick brown fox jumps over the lazy dog near the river bank';
let home: string;
let samples: Float32Array;
let owner: MessagePort;
const answers: LiveResponse[] = [];
const model: LiveModelChoice = {
  modelDir: demoModelAvailable() ? path.join(bundledModelsDir(), 'demo-en') : WHISPER_FIXTURE,
  device: 'cpu',
  threads: 1,
  language: 'en',
};

before(async () => {
  home = await tempHome('earshot-live-host-');
  samples = (await decodeToPcm16k(speechWav(path.join(home, 'speech.wav'), SENTENCE, 1))).samples;
  // The host runs in this thread here: its control link is a real MessagePort pair, as in the worker.
  const control = new MessageChannel();
  runLiveHost(threadControlPort(control.port1));
  owner = control.port2;
  owner.on('message', (m: LiveResponse) => answers.push(m));
});

after(async () => {
  const disposed = waitFor((m) => m.type === 'disposed');
  owner.postMessage({ message: { type: 'dispose' } satisfies LiveRequest });
  await disposed;
  owner.close();
  const fs = await import('node:fs/promises');
  await fs.rm(home, { recursive: true, force: true });
});

function waitFor(match: (m: LiveResponse) => boolean, ms = 120_000): Promise<LiveResponse> {
  const found = answers.find(match);
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no such answer from the host')), ms);
    const on = (m: LiveResponse) => {
      if (!match(m)) return;
      clearTimeout(timer);
      owner.off('message', on);
      resolve(m);
    };
    owner.on('message', on);
  });
}

/** Starts recording `id`; returns the window's end of its frames port. */
function start(id: string): MessagePort {
  const { port1, port2 } = new MessageChannel();
  owner.postMessage({ message: { type: 'start', id, model } satisfies LiveRequest, frames: port1 }, [port1]);
  return port2;
}

async function stop(id: string, waitMs = 60_000) {
  owner.postMessage({ message: { type: 'stop', id, waitMs } satisfies LiveRequest });
  const m = await waitFor((a) => (a.type === 'stopped' || a.type === 'error') && a.id === id);
  assert.equal(m.type, 'stopped', JSON.stringify(m));
  return (m as Extract<LiveResponse, { type: 'stopped' }>).result;
}

const of = <T extends LiveResponse['type']>(id: string, type: T) =>
  answers.filter((a): a is Extract<LiveResponse, { type: T }> => a.type === type && 'id' in a && a.id === id);

test('frames on the port are transcribed; the seconds accepted are reported; the end marker lets the stop decide', async () => {
  const window = start('rec-ok');
  // Views of a buffer are frames too (Electron may deliver a Buffer): a few as Int16Array.
  for (let at = 0; at < samples.length; at += 1600) {
    const pcm = pcm16(samples.subarray(at, at + 1600));
    window.postMessage(at % 3200 === 0 ? new Int16Array(pcm) : pcm);
  }
  window.postMessage(LIVE_FRAMES_END);
  const result = await stop('rec-ok');
  assert.ok(Math.abs(result.duration - samples.length / 16000) < 0.001, `${result.duration}`);
  const heard = of('rec-ok', 'heard').reduce((sum, h) => sum + h.seconds, 0);
  assert.ok(Math.abs(heard - samples.length / 16000) < 0.001, `heard ${heard}`);
  assert.ok(
    of('rec-ok', 'heard')
      .slice(0, -1)
      .every((h) => h.seconds >= 1),
    'reported a second or more at a time',
  );
  const text = result.segments.map((s) => s.text).join(' ');
  if (demoModelAvailable()) assert.ok(wordRecall(SENTENCE, text) >= 0.8, text);
  window.close();
});

test('what is not 16-bit PCM of at most 10 s is refused, and nothing after it is taken', async () => {
  const bad: [string, unknown][] = [
    ['text', 'hello'],
    ['an object', { pcm: pcm16(samples.subarray(0, 1600)) }],
    ['an odd byte count', new ArrayBuffer(3)],
    ['an empty frame', new ArrayBuffer(0)],
    ['over 10 s', new ArrayBuffer(16000 * 2 * 10 + 2)],
    ['a number', 42],
  ];
  for (const [what, data] of bad) {
    const id = `rec-bad-${what.replace(/\W/g, '')}`;
    const window = start(id);
    window.postMessage(pcm16(samples.subarray(0, 16000)));
    window.postMessage(data);
    window.postMessage(pcm16(samples.subarray(16000, 32000)));
    const refused = await waitFor((m) => m.type === 'refused' && m.id === id);
    assert.ok(refused.type === 'refused' && refused.error.code === 'INVALID_PARAMETER', what);
    window.postMessage(LIVE_FRAMES_END);
    const result = await stop(id);
    assert.equal(result.duration, 1, `${what}: only the second before it is transcribed`);
    window.close();
  }
});

test('the window end closing mid-recording ends its frames: what was received is transcribed', async () => {
  const window = start('rec-closed');
  for (let at = 0; at < 32000; at += 1600) window.postMessage(pcm16(samples.subarray(at, at + 1600)));
  window.close();
  // No end marker comes, and the stop's wait is far longer than the test's limit: only the close can end it.
  const result = await stop('rec-closed', 10 * 60_000);
  assert.equal(result.duration, 2);
});

test('after a hold (quota used up) frames are not taken; those before it are transcribed', async () => {
  const window = start('rec-hold');
  window.postMessage(pcm16(samples.subarray(0, 16000)));
  await waitFor((m) => m.type === 'heard' && m.id === 'rec-hold');
  owner.postMessage({ message: { type: 'hold', id: 'rec-hold' } satisfies LiveRequest });
  // A flush after the hold on the same link: once its final comes, the hold was handled.
  owner.postMessage({ message: { type: 'flush', id: 'rec-hold' } satisfies LiveRequest });
  await waitFor((m) => m.type === 'final' && m.id === 'rec-hold');
  window.postMessage(pcm16(samples.subarray(16000, 32000)));
  window.postMessage(LIVE_FRAMES_END);
  const result = await stop('rec-hold');
  assert.equal(result.duration, 1);
  window.close();
});

test('through the desktop, the main thread posts control messages only: every frame goes window → engine', async () => {
  const dir = await tempHome('earshot-live-path-');
  const frames = new LiveFramesSender();
  const posted: LiveRequest[] = [];
  const received: LiveResponse[] = [];
  const threads = threadLiveEngine((id, port) => frames.attach(id, port));
  const d = await createDesktop({
    home: dir,
    secretStore: new FileSecretStore(path.join(dir, 'license', 'key')),
    // The real worker-thread engine, with main's side of its link watched.
    liveEngine: () => {
      const engine = threads();
      return {
        ...engine,
        post: (m) => {
          posted.push(m);
          engine.post(m);
        },
        onMessage: (l) =>
          engine.onMessage((m) => {
            received.push(m);
            l(m);
          }),
      };
    },
  });
  await d.license.set(await devKey());
  if (!demoModelAvailable()) await d.modelManager.import(WHISPER_FIXTURE);
  const started = await d.dispatch('live:start', []);
  assert.ok(started.ok, JSON.stringify(started));
  const { id } = started.value as LiveSession;
  for (let at = 0; at < samples.length; at += 1600) frames.send(id, pcm16(samples.subarray(at, at + 1600)));
  frames.end(id);
  const stopped = await d.dispatch('live:stop', [id]);
  assert.ok(stopped.ok, JSON.stringify(stopped));
  const t = await d.library.get((stopped.value as TranscriptSummary).id);
  assert.ok(Math.abs(t.duration - samples.length / 16000) < 0.001, 'every frame reached the engine');
  assert.deepEqual(
    posted.map((m) => m.type),
    ['start', 'stop'],
    'main sent the engine two control messages for the whole recording',
  );
  const hasBytes = (v: unknown): boolean =>
    v instanceof ArrayBuffer ||
    ArrayBuffer.isView(v) ||
    (typeof v === 'object' && v !== null && Object.values(v).some(hasBytes));
  assert.ok(!posted.some(hasBytes) && !received.some(hasBytes), 'no audio crossed main’s link to the engine');
  await d.dispose();
  const fs = await import('node:fs/promises');
  await fs.rm(dir, { recursive: true, force: true });
});
