/**
 * Live recording end to end: the built UI in Chromium captures from Chromium's fake microphone, which plays an espeak-ng
 * WAV generated here (`--use-fake-device-for-media-stream --use-file-for-fake-audio-capture`), through the real core
 * (live worker thread, bundled model, data folder). Checks the live text, the saved recording and its history item,
 * and measures how far the text runs behind the speech and how its accuracy compares with transcribing the file. Each
 * test opens its own app (and browser, with its own fake microphone) on its own data folder, so tests run alone or in
 * any order.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { LiveEvent } from '../../electron/contract/api.ts';
import { decodeToPcm16k } from '../../electron/core/audio/index.ts';
import { demoModelAvailable, devKey, speechWav, WHISPER_FIXTURE, wordRecall } from '../app/fixtures.ts';
import { wordErrorRate } from '../live/wer.ts';
import { axeViolations, type Harness, screenshot, withHarness } from './harness.ts';

const SENTENCE =
  'the quick brown fox jumps over the lazy dog near the river bank. ' +
  'she sells sea shells by the sea shore while the sun is shining. ' +
  'please call me back tomorrow morning about the meeting';
/** Silence around the speech: the capture starts a moment before the recording, and stops inside the tail. */
const LEAD_SECONDS = 3;
const TAIL_SECONDS = 4;

/** The app of the test that runs now (one at a time in a file), its data folder and the core's live events. */
let h: Harness;
let home: string;
let captureSeconds: number;
let events: (LiveEvent & { at: number })[] = [];

/**
 * A fresh licensed app whose Chromium's fake microphone plays the sentence once between silences (and then loops);
 * the page may use the microphone unless `permissions` says otherwise.
 */
async function withRecorder(run: () => Promise<void>, permissions = ['microphone']): Promise<void> {
  events = [];
  let capture = '';
  await withHarness(
    {
      prefix: 'earshot-e2e-record-',
      prepare: async (dir) => {
        home = dir;
        const speech = speechWav(path.join(home, 'speech.wav'), SENTENCE);
        capture = path.join(home, 'capture.wav');
        execFileSync('ffmpeg', [
          ...['-v', 'error', '-i', speech],
          ...['-af', `adelay=${LEAD_SECONDS * 1000}:all=1,apad=pad_dur=${TAIL_SECONDS}`],
          ...['-ar', '48000', '-ac', '1', '-c:a', 'pcm_s16le', capture],
        ]);
        captureSeconds = (await decodeToPcm16k(capture)).samples.length / 16000;
      },
      // Read once `prepare` has made the capture file in the new data folder.
      get chromiumArgs() {
        return ['--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${capture}`];
      },
      permissions,
      beforeLoad: async (desktop) => {
        await desktop.license.set(await devKey());
        if (!demoModelAvailable()) await desktop.modelManager.import(WHISPER_FIXTURE);
        desktop.live.on('event', (e) => events.push({ ...e, at: performance.now() }));
      },
    },
    async (app) => {
      h = app;
      await h.page.getByTestId('dropzone').waitFor();
      await run();
    },
  );
}

async function until(check: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 90_000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const nav = (name: string) => h.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name });

/** The recorded time the page shows, in seconds. */
async function elapsed(): Promise<number> {
  const text = (await h.page.getByTestId('record-elapsed').textContent()) ?? '0:00';
  const [m, s] = text.split(':').map(Number);
  return m * 60 + s;
}

test('the microphone choice is remembered across restarts of the window', () =>
  withRecorder(async () => {
    const { page } = h;
    await nav('Record').click();
    await page.getByRole('heading', { name: 'Record' }).waitFor();
    const select = page.getByLabel('Microphone');
    await page.waitForFunction(() => document.querySelectorAll('#microphone option').length > 1);
    const options = await select.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    const chosen = options.at(-1)!;
    assert.ok(chosen, `fake devices are listed: ${options.join(', ')}`);
    await select.selectOption(chosen);
    await h.reload();
    await nav('Record').click();
    await page.waitForFunction(() => document.querySelectorAll('#microphone option').length > 1);
    assert.equal(await select.inputValue(), chosen);
  }));

test('recording shows provisional then final text, and stopping saves the recording as a history item', () =>
  withRecorder(async () => {
    const { page } = h;
    await nav('Record').click();
    await page.getByRole('button', { name: 'Start recording' }).click();
    // Provisional text comes and goes (a final replaces it): the core's events say it was sent, the page shows finals.
    await until(() => events.some((e) => e.type === 'interim'), 'provisional text');
    await page.getByTestId('live-final').first().waitFor({ timeout: 90_000 });
    assert.ok(Number(await page.getByTestId('level-meter').evaluate((m) => (m as HTMLMeterElement).value)) >= 0);
    await screenshot(page, 'record-live'); // docs/screenshots/record-live.png is a copy
    assert.deepEqual(await axeViolations(page), []);
    // One pass of the file: stop inside its trailing silence (the fake microphone loops it).
    const stopAt = captureSeconds - TAIL_SECONDS + 1;
    await page.waitForFunction(
      (s) => {
        const [m, ss] = (document.querySelector('[data-testid=record-elapsed]')?.textContent ?? '0:00').split(':');
        return Number(m) * 60 + Number(ss) >= s;
      },
      Math.ceil(stopAt),
      { timeout: 60_000 },
    );
    const sawLevel = await page.getByTestId('level-meter').evaluate((m) => (m as HTMLMeterElement).value);
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.getByTestId('record-saved').waitFor({ timeout: 60_000 });
    const recorded = await elapsed();

    const liveText = (await page.getByTestId('live-text').textContent()) ?? '';
    const list = await h.desktop.library.list();
    assert.equal(list.length, 1);
    const t = await h.desktop.library.get(list[0].id);
    const savedText = t.segments.map((s) => s.text).join(' ');
    const mediaPath = t.mediaPath ?? '';
    assert.ok(mediaPath.endsWith('.webm') && existsSync(mediaPath), 'the recording is in the data folder');
    assert.ok(mediaPath.startsWith(path.join(home, 'media')));
    const audioSeconds = (await decodeToPcm16k(mediaPath)).samples.length / 16000;
    assert.ok(Math.abs(audioSeconds - recorded) < 1.5, `recording ${audioSeconds} s for ${recorded} s shown`);
    assert.ok(Math.abs(t.duration - recorded) < 1.5);
    assert.equal(liveText.replace(/\s+/g, ' ').trim(), savedText.replace(/\s+/g, ' ').trim(), 'history = live text');
    if (demoModelAvailable()) {
      assert.ok(wordRecall(SENTENCE, savedText) >= 0.7, savedText);
      assert.ok(sawLevel > 0 || events.length > 0);
    }

    // The history item is a transcript like any other: it opens, plays and can be searched.
    await page.getByRole('button', { name: 'Open transcript' }).click();
    assert.equal(await page.getByLabel('Transcript title').inputValue(), t.title);
    // Clicking a word plays the recording from there, and the word lights up.
    await page.waitForFunction(
      () => (document.querySelector('[data-testid=player]') as HTMLMediaElement)?.readyState >= 1,
    );
    assert.ok(
      await page.getByTestId('player').evaluate((m) => Number.isFinite((m as HTMLMediaElement).duration)),
      'the saved recording says how long it is (so it can be sought)',
    );
    const word = page.getByTestId('word').nth(3);
    await word.click();
    await page.locator('.word-active').first().waitFor();
    await screenshot(page, 'record-saved'); // docs/screenshots/record-saved.png is a copy

    // The same audio as a file: the saved recording transcribed by the queue.
    const r = await h.desktop.dispatch('live:retranscribe', [t.id]);
    assert.ok(r.ok, JSON.stringify(r));
    const jobId = (r.value as { id: string }).id;
    while (!['done', 'failed'].includes(h.desktop.jobs.get(jobId).stage)) await new Promise((x) => setTimeout(x, 100));
    const fileJob = h.desktop.jobs.get(jobId);
    assert.equal(fileJob.stage, 'done', JSON.stringify(fileJob.error));
    const fileText = (await h.desktop.library.get(fileJob.transcriptId!)).segments.map((s) => s.text).join(' ');

    // Honest figures (no assertion on time: this machine is shared). Lags are measured in stream time: the audio the
    // core had received when the text was ready, minus the end of the speech it covers, plus the 100 ms frame.
    const finals = events.filter((e) => e.type === 'final');
    const interims = events.filter((e) => e.type === 'interim');
    const lag = (e: { receivedAt: number; end: number }) => e.receivedAt - e.end + 0.1;
    const wordLags = finals.flatMap((f) =>
      f.segments.flatMap((s) => (s.words ?? []).map((w) => f.receivedAt - w.end + 0.1)),
    );
    const stats = (xs: number[]) => ({
      n: xs.length,
      mean: round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)),
      max: round(Math.max(...xs)),
    });
    const figures = {
      model: t.model,
      recordedSeconds: recorded,
      finalChunkLag: stats(finals.map(lag)),
      finalWordLag: stats(wordLags),
      provisionalLag: stats(interims.map(lag)),
      werLive: round(wordErrorRate(SENTENCE, savedText)),
      werFile: round(wordErrorRate(SENTENCE, fileText)),
      load: os.loadavg().map(round),
      liveText: savedText,
      fileText,
    };
    console.log(`live figures: ${JSON.stringify(figures)}`);
    await fs.mkdir('test-results', { recursive: true });
    await fs.writeFile('test-results/record-figures.json', JSON.stringify(figures, null, 2));
    assert.ok(finals.length >= 2 && interims.length >= 1);
  }));

const round = (x: number) => Math.round(x * 100) / 100;

async function phase(): Promise<string> {
  return (await h.page.getByTestId('record-phase').textContent()) ?? '';
}

test('the global shortcut starts and stops a recording from any screen; pausing stops the clock and settles the text', () =>
  withRecorder(async () => {
    const { page } = h;
    const before = (await h.desktop.library.list()).length;
    await nav('History').click();
    await h.sendCommand({ type: 'toggleRecording' });
    await page.getByRole('heading', { name: 'Record' }).waitFor();
    await page.waitForFunction(() => {
      const [m, ss] = (document.querySelector('[data-testid=record-elapsed]')?.textContent ?? '0:00').split(':');
      return Number(m) * 60 + Number(ss) >= 3;
    });
    const finalsBefore = events.filter((e) => e.type === 'final').length;
    await page.getByRole('button', { name: 'Pause' }).click();
    assert.match(await phase(), /^Paused/);
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    // The pause decides what was said so far: a final arrives although no 5 s chunk was due.
    await until(() => events.filter((e) => e.type === 'final').length > finalsBefore, 'the final after the pause');
    const paused = await elapsed();
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await elapsed(), paused, 'no time is recorded while paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.waitForFunction((s) => {
      const [m, ss] = (document.querySelector('[data-testid=record-elapsed]')?.textContent ?? '0:00').split(':');
      return Number(m) * 60 + Number(ss) > s;
    }, paused);
    await h.sendCommand({ type: 'toggleRecording' });
    await page.getByTestId('record-saved').waitFor({ timeout: 60_000 });
    const list = await h.desktop.library.list();
    assert.equal(list.length, before + 1);
    assert.ok(Math.abs(list[0].duration - (await elapsed())) < 1.5, 'the pause is not in the recording');
  }));

test('an unplugged microphone stops the recording with a clear message, and what was recorded is kept', () =>
  withRecorder(async () => {
    const { page } = h;
    // Chromium fires `ended` on the track when its device goes away; a fake device cannot be unplugged, so the test
    // fires that event itself on the stream the page opened.
    await page.addInitScript(() => {
      const open = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = async (c) => {
        const s = await open(c);
        (window as unknown as { __lastStream: MediaStream }).__lastStream = s;
        return s;
      };
    });
    await h.reload();
    await nav('Record').click();
    await page.getByRole('button', { name: 'Start recording' }).click();
    await page.getByTestId('live-final').first().waitFor({ timeout: 90_000 });
    await page.evaluate(() =>
      (window as unknown as { __lastStream: MediaStream }).__lastStream
        .getAudioTracks()[0]
        .dispatchEvent(new Event('ended')),
    );
    await page.getByTestId('record-saved').waitFor({ timeout: 60_000 });
    assert.match((await page.getByTestId('record-error').textContent()) ?? '', /microphone was disconnected.*saved/);
    await screenshot(page, 'record-unplugged'); // docs/screenshots/record-unplugged.png is a copy
    const [latest] = await h.desktop.library.list();
    assert.match(latest.title, /\(interrupted\)$/);
    const t = await h.desktop.library.get(latest.id);
    assert.ok(t.segments.length > 0 && (await fs.stat(t.mediaPath!)).size > 1000);
    // Its audio can be transcribed again as a file.
    const row = page.getByTestId('interrupted-recording').filter({ hasText: latest.title });
    await row.getByRole('button', { name: 'Transcribe again' }).click();
    await page.getByText(`“${latest.title}” was added to the queue`).waitFor();
    const job = () => h.desktop.jobs.list().find((j) => j.source.value === t.mediaPath);
    assert.ok(job());
    await until(() => ['done', 'failed'].includes(job()?.stage ?? ''), 'the retranscription');
    assert.equal(job()?.stage, 'done', JSON.stringify(job()?.error));
  }));

test('denied microphone permission: a clear message and nothing recorded', () =>
  withRecorder(async () => {
    const { page } = h;
    await nav('Record').click();
    await page.getByRole('button', { name: 'Start recording' }).click();
    await page
      .getByTestId('record-error')
      .getByText(/not allowed to use the microphone/)
      .waitFor();
    await page.getByRole('button', { name: 'Start recording' }).waitFor();
    assert.equal((await h.desktop.library.list()).length, 0);
    assert.deepEqual(await fs.readdir(path.join(home, 'recordings')), [], 'no recording was started');
  }, []));

test('no microphone at all: a clear message', () =>
  // Without the fake device this container has no audio input.
  withHarness(
    {
      prefix: 'earshot-e2e-nomic-',
      permissions: ['microphone'],
      beforeLoad: async (desktop) => desktop.license.set(await devKey()).then(() => {}),
    },
    async (bare) => {
      await bare.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Record' }).click();
      await bare.page.getByRole('button', { name: 'Start recording' }).click();
      await bare.page
        .getByTestId('record-error')
        .getByText(/No microphone was found/)
        .waitFor();
      await screenshot(bare.page, 'record-no-microphone');
    },
  ));
