/**
 * Live recording in the core as the window drives it: the contract's dispatcher for the calls, and PCM frames on the
 * recording's own port (the contract's LiveFramesSender, as the preload uses it) straight to the live worker thread
 * (real model); the recording's bytes go to the data folder, and stopping makes a history item. Also: a crash
 * mid-recording (a killed child process), a full disk (/dev/full), a quota used up mid-recording, refused input, and
 * Whisper models.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { JobView, LiveEvent, LiveSession, TranscriptSummary } from '../../electron/contract/api.ts';
import { decodeToPcm16k } from '../../electron/core/audio/index.ts';
import { FileSecretStore } from '../../electron/core/license/index.ts';
import { createDesktop, type Desktop, type DesktopConfig } from '../../electron/core/services.ts';
import { demoModelAvailable, devKey, speechWav, tempHome, WHISPER_FIXTURE, wordRecall } from '../app/fixtures.ts';
import { LiveFramesSender } from '../../electron/contract/live-frames.ts';
import { developmentSigningKey, issueLicense } from '../../electron/core/license/sign.ts';
import { threadLiveEngine } from '../../electron/core/live/live-thread.ts';
import { pcm16 } from './pcm.ts';

const SENTENCE = 'the quick brown fox jumps over the lazy dog near the river bank';
let home: string;
let wav: string;
let samples: Float32Array;
const open: Desktop[] = [];
/** The window's side of the recordings' frames ports. */
const frames = new LiveFramesSender();

before(async () => {
  home = await tempHome('earshot-live-');
  wav = speechWav(path.join(home, 'speech.wav'), SENTENCE, 2);
  samples = (await decodeToPcm16k(wav)).samples;
});

after(async () => {
  for (const d of open) await d.dispose();
  await fs.rm(home, { recursive: true, force: true });
});

async function desktop(dir = home, extra: Partial<DesktopConfig> = {}): Promise<Desktop> {
  const d = await createDesktop({
    home: dir,
    secretStore: new FileSecretStore(path.join(dir, 'license', 'key')),
    liveEngine: threadLiveEngine((id, port) => frames.attach(id, port)),
    ...extra,
  });
  open.push(d);
  if ((await d.license.status()).state !== 'valid') await d.license.set(await devKey());
  if (!demoModelAvailable()) await d.modelManager.import(WHISPER_FIXTURE);
  return d;
}

async function close(d: Desktop): Promise<void> {
  open.splice(open.indexOf(d), 1);
  await d.dispose();
}

async function ok<T>(d: Desktop, channel: string, ...args: unknown[]): Promise<T> {
  const r = await d.dispatch(channel, args);
  if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
  return r.value as T;
}

function eventsOf(d: Desktop, id: string): LiveEvent[] {
  const events: LiveEvent[] = [];
  d.live.on('event', (e) => e.id === id && events.push(e));
  return events;
}

async function until(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Sends samples[from, to) as 100 ms frames on the recording's port, as the worklet and the preload do. */
function sendAudio(id: string, from: number, to: number): void {
  for (let at = from; at < to; at += 1600) frames.send(id, pcm16(samples.subarray(at, Math.min(at + 1600, to))));
}

/** Stops as the bridge does: the frames' end marker first, then `live:stop`. */
function stop<T>(d: Desktop, id: string, reason?: string): Promise<T> {
  frames.end(id);
  return reason ? ok<T>(d, 'live:stop', id, reason) : ok<T>(d, 'live:stop', id);
}

test('provisional text, then final text that the saved history item keeps, with the recording in the data folder', async () => {
  const d = await desktop();
  const session = await ok<LiveSession>(d, 'live:start');
  const events = eventsOf(d, session.id);
  const recording = await fs.readFile(wav);
  await ok(d, 'live:media', session.id, recording.subarray(0, 5000).toString('base64'));
  // Two seconds, then a pause in the input: the undecided audio gets a provisional transcript.
  sendAudio(session.id, 0, 32000);
  await until(() => events.some((e) => e.type === 'interim'), 'a provisional transcript');
  const interim = events.find((e) => e.type === 'interim')!;
  assert.ok(interim.type === 'interim' && interim.text.length > 0 && interim.end <= 2 && interim.start === 0);
  assert.equal(events.filter((e) => e.type === 'final').length, 0, 'nothing is final before a chunk is due');
  sendAudio(session.id, 32000, samples.length);
  await ok(d, 'live:media', session.id, recording.subarray(5000).toString('base64'));
  const saved = await stop<TranscriptSummary>(d, session.id);

  const finals = events.filter((e) => e.type === 'final');
  assert.ok(finals.length >= 2, 'a long recording is decided in several chunks');
  for (let i = 1; i < finals.length; i++) assert.equal(finals[i].start, finals[i - 1].end, 'chunks follow each other');
  assert.ok(Math.abs(finals.at(-1)!.end - samples.length / 16000) < 0.01, 'the last chunk ends with the audio');
  const transcript = await d.library.get(saved.id);
  const text = transcript.segments.map((s) => s.text).join(' ');
  if (demoModelAvailable()) assert.ok(wordRecall(SENTENCE, text) >= 0.8, `live text: ${text}`);
  // Live finals arrive a few words at a time; the history item joins them into phrases with the same words.
  const wordsOf = (segments: { words?: { word: string; start: number }[] }[]) =>
    segments.flatMap((s) => (s.words ?? []).map((w) => [w.word.trim(), w.start]));
  assert.deepEqual(
    wordsOf(transcript.segments),
    wordsOf(finals.flatMap((f) => f.segments)),
    'the history item is the final text shown live',
  );
  assert.ok(
    transcript.segments.every((s, i) => s.id === i && (i === 0 || s.start >= transcript.segments[i - 1].start)),
  );
  assert.ok(Math.abs(transcript.duration - samples.length / 16000) < 0.01);
  assert.match(transcript.title, /^Recording \d{4}-\d\d-\d\d \d\d:\d\d$/);
  assert.equal(transcript.mediaPath, path.join(home, 'media', `${session.id}.webm`));
  assert.deepEqual(await fs.readFile(transcript.mediaPath!), recording, 'the recording is stored as it came');
  assert.ok(!existsSync(path.join(home, 'recordings', `${session.id}.json`)), 'no in-progress marker is left');
  assert.ok(events.some((e) => e.type === 'saved' && e.transcriptId === saved.id && !e.interrupted));
  const audioByInvoke = await d.dispatch('live:audio', [session.id, 'AAAA']);
  assert.match(!audioByInvoke.ok ? audioByInvoke.error.message : '', /Unknown channel/, 'frames never go through main');
});

test('pausing decides the text said so far', async () => {
  const d = open[0] ?? (await desktop());
  const session = await ok<LiveSession>(d, 'live:start');
  const events = eventsOf(d, session.id);
  sendAudio(session.id, 0, 48000);
  frames.flush(session.id); // as the bridge pauses: its marker on the port, then `live:pause`
  await ok(d, 'live:pause', session.id);
  await until(() => events.some((e) => e.type === 'final'), 'the final after a pause');
  const final = events.find((e) => e.type === 'final')!;
  assert.ok(final.type === 'final' && final.start === 0 && final.end === 3, 'all three seconds are decided');
  await stop(d, session.id);
});

test('a crash mid-recording leaves an interrupted history item with the audio, which can be transcribed again', async () => {
  const dir = await tempHome('earshot-live-crash-');
  await close(await desktop(dir)); // licensed, model ready
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/live/live-child.ts', dir, wav], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(child.signal, 'SIGKILL', child.stderr);
  const markers = await fs.readdir(path.join(dir, 'recordings'));
  assert.equal(markers.length, 1, 'the in-progress marker survived the crash');

  const d = await desktop(dir);
  const list = await ok<TranscriptSummary[]>(d, 'transcripts:list');
  assert.equal(list.length, 1);
  const item = await d.library.get(list[0].id);
  assert.match(item.title, /^Recording .* \(interrupted\)$/);
  assert.ok(item.segments.length > 0, 'the text decided before the crash is kept');
  assert.deepEqual(await fs.readFile(item.mediaPath!), await fs.readFile(wav), 'the audio recorded so far is kept');
  assert.deepEqual(await fs.readdir(path.join(dir, 'recordings')), [], 'recovered once');

  const job = await ok<JobView>(d, 'live:retranscribe', item.id);
  await until(() => ['done', 'failed'].includes(d.jobs.get(job.id).stage), 'the retranscription', 120_000);
  const done = d.jobs.get(job.id);
  assert.equal(done.stage, 'done', JSON.stringify(done.error));
  const again = await d.library.get(done.transcriptId!);
  if (demoModelAvailable()) assert.ok(wordRecall(SENTENCE, again.segments.map((s) => s.text).join(' ')) >= 0.8);
  await close(d);
  await fs.rm(dir, { recursive: true, force: true });
});

test('quitting mid-recording saves it as interrupted, with the text of all the audio received', async () => {
  const dir = await tempHome('earshot-live-quit-');
  const d = await desktop(dir);
  const session = await ok<LiveSession>(d, 'live:start');
  await ok(d, 'live:media', session.id, (await fs.readFile(wav)).toString('base64'));
  sendAudio(session.id, 0, samples.length);
  // The window goes with the app: its end of the frames port closes after the last frame it sent.
  frames.end(session.id);
  await close(d);
  const again = await desktop(dir);
  const [item] = await again.library.list();
  assert.match(item.title, /\(interrupted\)$/);
  assert.ok(Math.abs(item.duration - samples.length / 16000) < 0.01, 'every frame received was transcribed');
  if (demoModelAvailable()) assert.ok(wordRecall(SENTENCE, item.preview) >= 0.8, item.preview);
  await close(again);
  await fs.rm(dir, { recursive: true, force: true });
});

test('a full disk stops the recording with a clear message, and what was decided is saved', async () => {
  const dir = await tempHome('earshot-live-full-');
  const d = await desktop(dir, { recordingPathFor: () => '/dev/full' });
  const session = await ok<LiveSession>(d, 'live:start');
  const events = eventsOf(d, session.id);
  sendAudio(session.id, 0, 16000 * 6);
  await until(() => events.some((e) => e.type === 'final'), 'a first final');
  await assert.rejects(ok(d, 'live:media', session.id, Buffer.from('webm bytes').toString('base64')), {
    code: 'DISK_FULL',
    message: /disk is full.*recording stopped.*kept/i,
  });
  const error = events.find((e) => e.type === 'error');
  assert.ok(error?.type === 'error' && error.error.code === 'DISK_FULL');
  const saved = await stop<TranscriptSummary>(d, session.id);
  assert.match(saved.title, /\(interrupted\)$/);
  assert.ok((await d.library.get(saved.id)).segments.length > 0);
  await close(d);
  await fs.rm(dir, { recursive: true, force: true });
});

test('refused: no license, unknown or malformed recordings, a frame that is not 16-bit PCM', async () => {
  const dir = await tempHome('earshot-live-refused-');
  const d = await createDesktop({
    home: dir,
    secretStore: new FileSecretStore(path.join(dir, 'license', 'key')),
    liveEngine: threadLiveEngine((id, port) => frames.attach(id, port)),
  });
  open.push(d);
  const r = await d.dispatch('live:start', []);
  assert.equal(!r.ok && r.error.code, 'INVALID_LICENSE');
  assert.ok(!existsSync(path.join(dir, 'media')), 'nothing is written before the license allows it');
  await d.license.set(await devKey());
  const bad = async (channel: string, args: unknown[]) => {
    const res = await d.dispatch(channel, args);
    assert.equal(!res.ok && res.error.code, 'INVALID_PARAMETER', `${channel} ${JSON.stringify(args).slice(0, 80)}`);
  };
  await bad('live:media', ['rec_00000000000000000000', 'A'.repeat(6_000_000)]);
  await bad('live:stop', ['rec_00000000000000000000', 'because']);
  const session = await ok<LiveSession>(d, 'live:start');
  // The engine refuses what is not 16-bit PCM (here an odd byte count) and the recording stops taking audio.
  const events = eventsOf(d, session.id);
  frames.send(session.id, new ArrayBuffer(3));
  await until(() => events.some((e) => e.type === 'error'), 'the refusal');
  const refusal = events.find((e) => e.type === 'error');
  assert.ok(refusal?.type === 'error' && refusal.error.code === 'INVALID_PARAMETER', JSON.stringify(refusal));
  // Nothing was recorded (as when the microphone fails to open): nothing is kept.
  assert.equal(await stop(d, session.id), null);
  assert.deepEqual(await fs.readdir(path.join(dir, 'media')), []);
  assert.deepEqual(await fs.readdir(path.join(dir, 'recordings')), []);
  assert.deepEqual(await d.library.list(), []);
  await close(d);
  await fs.rm(dir, { recursive: true, force: true });
});

test('Whisper models transcribe live too (the random-weight fixture: real inference, meaningless words)', async () => {
  const dir = await tempHome('earshot-live-whisper-');
  const d = await desktop(dir);
  const whisper = await d.modelManager
    .import(WHISPER_FIXTURE)
    .catch(async () => (await d.models.list()).find((m) => m.family === 'whisper')!);
  const session = await ok<LiveSession>(d, 'live:start', { modelId: whisper.id });
  const events = eventsOf(d, session.id);
  sendAudio(session.id, 0, 16000 * 7);
  const saved = await stop<TranscriptSummary>(d, session.id);
  const finals = events.filter((e) => e.type === 'final');
  // One chunk decided when 5 s were pending (cut where it is quietest, or before a word the cut went through), then
  // the rest at the stop.
  assert.equal(finals.length, 2);
  assert.ok(finals[0].start === 0 && finals[0].end > 0.1 && finals[0].end <= 5, `cut at ${finals[0].end}`);
  assert.deepEqual([finals[1].start, finals[1].end], [finals[0].end, 7]);
  const t = await d.library.get(saved.id);
  assert.equal(t.model, session.model);
  for (const s of t.segments) assert.ok(s.start >= 0 && s.end <= 7.01, 'segments lie in the recording');
  await close(d);
  await fs.rm(dir, { recursive: true, force: true });
});

test('a quota used up mid-recording stops it with QUOTA_EXCEEDED; the audio and the text of the paid seconds are kept', async () => {
  const dir = await tempHome('earshot-live-quota-');
  const d = await desktop(dir);
  const license = issueLicense({
    privateKey: await developmentSigningKey(),
    customer: 'Live Quota',
    plan: 'Pro',
    expiresAt: new Date(Date.now() + 30 * 86400_000),
    limits: { audioHoursPerDay: 4 / 3600 }, // 4 seconds a day
  });
  await d.license.set(license.key);
  const charged = () => d.licenses.usage(license.claims.id).audioSeconds;
  const session = await ok<LiveSession>(d, 'live:start');
  const events = eventsOf(d, session.id);
  const recording = await fs.readFile(wav);
  await ok(d, 'live:media', session.id, recording.subarray(0, 4000).toString('base64'));
  // A second at a time, as it is heard, until the fifth second is refused.
  let sent = 0;
  while (!events.some((e) => e.type === 'error') && sent < samples.length) {
    sendAudio(session.id, sent, sent + 16000);
    sent += 16000;
    await until(() => events.some((e) => e.type === 'error') || charged() >= sent / 16000 - 0.01, 'the second charged');
  }
  const error = events.find((e) => e.type === 'error');
  assert.ok(error?.type === 'error' && error.error.code === 'QUOTA_EXCEEDED', JSON.stringify(error));
  assert.equal(sent, 16000 * 5, 'the fifth second is the first over the quota');
  // Once the engine has handled the hold (a pause after it on the same link settles), later frames are not taken.
  await ok(d, 'live:pause', session.id);
  await until(() => events.some((e) => e.type === 'final'), 'the text so far');
  sendAudio(session.id, sent, samples.length);
  // The recording keeps its file growing until the window stops it (the audio is the user's).
  await ok(d, 'live:media', session.id, recording.subarray(4000).toString('base64'));
  const saved = await stop<TranscriptSummary>(d, session.id);
  assert.match(saved.title, /\(interrupted\)$/);
  const t = await d.library.get(saved.id);
  assert.ok(Math.abs(t.duration - 5) < 0.01, `the heard seconds are transcribed, no more: ${t.duration}`);
  assert.ok(Math.abs(charged() - 4) < 0.01, `the quota is charged, no more: ${charged()}`);
  assert.ok(t.segments.length > 0, 'the text of the paid audio is kept');
  for (const s of t.segments) assert.ok(s.end <= 5.01);
  assert.deepEqual(await fs.readFile(t.mediaPath!), recording, 'the whole recording is kept');
  await close(d);
  await fs.rm(dir, { recursive: true, force: true });
});

test('the window going away mid-recording (its frames port closed): the audio received is transcribed and kept', async () => {
  const dir = await tempHome('earshot-live-closed-');
  let windowEnd: import('node:worker_threads').MessagePort | undefined;
  const d = await desktop(dir, { liveEngine: threadLiveEngine((_id, port) => (windowEnd = port)) });
  const session = await ok<LiveSession>(d, 'live:start');
  await ok(d, 'live:media', session.id, (await fs.readFile(wav)).toString('base64'));
  for (let at = 0; at < 16000 * 3; at += 1600) windowEnd!.postMessage(pcm16(samples.subarray(at, at + 1600)));
  windowEnd!.close();
  const saved = await ok<TranscriptSummary>(d, 'live:stop', session.id, 'device-lost');
  const t = await d.library.get(saved.id);
  assert.match(t.title, /\(interrupted\)$/);
  assert.ok(Math.abs(t.duration - 3) < 0.01, `the three seconds sent before the port closed: ${t.duration}`);
  await close(d);
  await fs.rm(dir, { recursive: true, force: true });
});
