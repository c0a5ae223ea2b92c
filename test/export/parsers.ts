/**
 * Reading our subtitle exports back with the parsers that players use: Chromium's own WebVTT parser (a <track> in a
 * real page, through playwright-core) and ffmpeg's SRT reader. What these give back is what viewers see.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';

const CHROMIUM = process.env.EARSHOT_CHROMIUM ?? '/usr/bin/chromium';

export interface ParsedCue {
  start: number;
  end: number;
  /** The cue's text as the browser renders it (tags applied, character references decoded). */
  text: string;
}

let browser: Browser | undefined;

export async function closeParsers(): Promise<void> {
  await browser?.close();
  browser = undefined;
}

/** Chromium's WebVTT parser: the cues of a <track> whose source is `vtt`. */
export async function chromiumVttCues(vtt: string): Promise<ParsedCue[]> {
  browser ??= await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage();
  try {
    await page.setContent('<!doctype html><video></video>');
    return await page.evaluate(async (text) => {
      const video = document.querySelector('video')!;
      const track = document.createElement('track');
      track.kind = 'subtitles';
      track.default = true;
      track.src = URL.createObjectURL(new Blob([text], { type: 'text/vtt' }));
      video.append(track);
      track.track.mode = 'hidden';
      await new Promise<void>((resolve, reject) => {
        track.addEventListener('load', () => resolve());
        track.addEventListener('error', () => reject(new Error('Chromium rejected the WebVTT file')));
      });
      return Array.from(track.track.cues ?? [], (c) => {
        const cue = c as VTTCue;
        return { start: cue.startTime, end: cue.endTime, text: cue.getCueAsHTML().textContent ?? '' };
      });
    }, vtt);
  } finally {
    await page.close();
  }
}

/** ffmpeg's SRT reader: every event it reads, with the text it hands to players (tags it understood removed). */
export function ffmpegSrtCues(srt: string): ParsedCue[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-srt-'));
  try {
    const file = path.join(dir, 'in.srt');
    writeFileSync(file, srt);
    // Re-muxed as SRT with the plain-text encoder: each event ffmpeg read, its times, and its text without markup.
    const out = execFileSync('ffmpeg', ['-loglevel', 'error', '-i', file, '-c:s', 'text', '-f', 'srt', '-'], {
      encoding: 'utf8',
    });
    const seconds = (tc: string) => {
      const [h, m, rest] = tc.split(':');
      return Number(h) * 3600 + Number(m) * 60 + Number(rest.replace(',', '.'));
    };
    return out
      .split(/\r?\n\r?\n+/)
      .map((block) => block.split(/\r?\n/))
      .filter((lines) => lines.length >= 2 && lines[1].includes(' --> '))
      .map((lines) => {
        const [from, to] = lines[1].split(' --> ');
        return { start: seconds(from), end: seconds(to), text: lines.slice(2).join('\n') };
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
