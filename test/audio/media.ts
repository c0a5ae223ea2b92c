/**
 * Test media made at test time with Debian's ffmpeg, espeak-ng and sox (nothing is checked in). The base signal is
 * 3 s of 44.1 kHz stereo: espeak-ng speech on the left, a 330 Hz tone on the right, so a wrong downmix shows.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const BASE_SECONDS = 3;

export interface MediaCase {
  name: string;
  /** Expected container from sniffing. */
  container: string;
  /** Output file name (extension chosen to look ordinary; detection never reads it). */
  file: string;
  /** ffmpeg arguments after the input(s). */
  args: string[];
  /** Use the video+audio source instead of the audio-only base. */
  video?: boolean;
  channels: number;
  rate: number;
}

export const FORMATS: MediaCase[] = [
  { name: 'WAV 8-bit', container: 'wav', file: 'u8.wav', args: ['-c:a', 'pcm_u8'], channels: 2, rate: 44100 },
  { name: 'WAV 16-bit', container: 'wav', file: 's16.wav', args: ['-c:a', 'pcm_s16le'], channels: 2, rate: 44100 },
  { name: 'WAV 24-bit', container: 'wav', file: 's24.wav', args: ['-c:a', 'pcm_s24le'], channels: 2, rate: 44100 },
  { name: 'WAV 32-bit int', container: 'wav', file: 's32.wav', args: ['-c:a', 'pcm_s32le'], channels: 2, rate: 44100 },
  {
    name: 'WAV 32-bit float',
    container: 'wav',
    file: 'f32.wav',
    args: ['-c:a', 'pcm_f32le'],
    channels: 2,
    rate: 44100,
  },
  {
    name: 'MP3',
    container: 'mp3',
    file: 'a.mp3',
    args: ['-c:a', 'libmp3lame', '-b:a', '128k'],
    channels: 2,
    rate: 44100,
  },
  { name: 'FLAC', container: 'flac', file: 'a.flac', args: ['-c:a', 'flac'], channels: 2, rate: 44100 },
  {
    name: 'Ogg Vorbis',
    container: 'ogg',
    file: 'a.ogg',
    args: ['-c:a', 'libvorbis', '-q:a', '4'],
    channels: 2,
    rate: 44100,
  },
  {
    name: 'Opus',
    container: 'opus',
    file: 'a.opus',
    args: ['-c:a', 'libopus', '-b:a', '64k'],
    channels: 2,
    rate: 48000,
  },
  {
    name: 'M4A/AAC',
    container: 'm4a',
    file: 'a.m4a',
    args: ['-c:a', 'aac', '-b:a', '128k', '-f', 'ipod'],
    channels: 2,
    rate: 44100,
  },
  {
    name: 'AAC (ADTS)',
    container: 'aac',
    file: 'a.aac',
    args: ['-c:a', 'aac', '-b:a', '128k', '-f', 'adts'],
    channels: 2,
    rate: 44100,
  },
  { name: 'AIFF', container: 'aiff', file: 'a.aiff', args: ['-c:a', 'pcm_s16be'], channels: 2, rate: 44100 },
  {
    name: 'WebM (Opus)',
    container: 'webm',
    file: 'a.webm',
    args: ['-c:a', 'libopus', '-b:a', '64k', '-f', 'webm'],
    channels: 2,
    rate: 48000,
  },
  {
    name: 'MP4 video (H.264 + AAC)',
    container: 'mp4',
    file: 'v.mp4',
    video: true,
    args: ['-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-f', 'mp4'],
    channels: 2,
    rate: 44100,
  },
  {
    name: 'MOV video (H.264 + AAC)',
    container: 'mov',
    file: 'v.mov',
    video: true,
    args: ['-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-f', 'mov'],
    channels: 2,
    rate: 44100,
  },
  {
    name: 'MKV video (H.264 + Vorbis)',
    container: 'mkv',
    file: 'v.mkv',
    video: true,
    args: ['-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'libvorbis', '-f', 'matroska'],
    channels: 2,
    rate: 44100,
  },
  {
    name: '6-channel 5.1 FLAC at 48 kHz',
    container: 'flac',
    file: 'six.flac',
    args: ['-af', 'pan=5.1|c0=c0|c1=c1|c2=c0|c3=c1|c4=c0|c5=c1', '-ar', '48000', '-c:a', 'flac'],
    channels: 6,
    rate: 48000,
  },
  {
    name: '8 kHz mono mu-law WAV (phone)',
    container: 'wav',
    file: 'phone.wav',
    args: ['-ac', '1', '-ar', '8000', '-c:a', 'pcm_mulaw'],
    channels: 1,
    rate: 8000,
  },
];

export interface MediaSet {
  dir: string;
  base: string;
  baseVideo: string;
  path(file: string): string;
  cleanup(): void;
}

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

export function makeMediaSet(cases: MediaCase[] = FORMATS): MediaSet {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-audio-test-'));
  const p = (f: string) => path.join(dir, f);
  try {
    execFileSync('espeak-ng', ['-w', p('speech.wav'), 'Earshot turns every recording into text on your own computer.']);
    ffmpeg([
      '-i',
      p('speech.wav'),
      '-f',
      'lavfi',
      '-i',
      `sine=f=330:d=${BASE_SECONDS}:sample_rate=44100`,
      '-filter_complex',
      `[0:a]aresample=44100,apad,atrim=0:${BASE_SECONDS}[s];[1:a]volume=0.3[t];[s][t]join=inputs=2:channel_layout=stereo`,
      '-c:a',
      'pcm_f32le',
      p('base.wav'),
    ]);
    ffmpeg([
      '-f',
      'lavfi',
      '-i',
      `testsrc=size=64x48:rate=10:duration=${BASE_SECONDS}`,
      '-i',
      p('base.wav'),
      '-map',
      '0:v',
      '-map',
      '1:a',
      '-c:v',
      'ffv1',
      '-c:a',
      'pcm_f32le',
      '-f',
      'matroska',
      p('base-video.mkv'),
    ]);
    for (const c of cases) ffmpeg(['-i', c.video ? p('base-video.mkv') : p('base.wav'), ...c.args, p(c.file)]);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    dir,
    base: p('base.wav'),
    baseVideo: p('base-video.mkv'),
    path: p,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function makeWithFfmpeg(args: string[]): void {
  ffmpeg(args);
}

/** The reference: what the ffmpeg CLI itself produces for 16 kHz mono float32. */
export function ffmpegReference(file: string): Float32Array {
  const out = spawnSync(
    'ffmpeg',
    ['-v', 'error', '-nostdin', '-i', file, '-map', '0:a:0', '-ac', '1', '-ar', '16000', '-f', 'f32le', 'pipe:1'],
    {
      maxBuffer: 1 << 30,
    },
  );
  if (out.status !== 0) throw new Error(`ffmpeg reference failed: ${out.stderr}`);
  const bytes = out.stdout as Buffer;
  const copy = new Uint8Array(bytes.length - (bytes.length % 4));
  copy.set(bytes.subarray(0, copy.length));
  return new Float32Array(copy.buffer);
}

/** Pearson correlation over the overlapping length. */
export function correlation(a: Float32Array, b: Float32Array): number {
  const n = Math.min(a.length, b.length);
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] - ma;
    const y = b[i] - mb;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return ab / Math.sqrt(aa * bb);
}

/**
 * Points os.tmpdir() at a fresh folder for this test process, so checks for leftover temp files see only ours and
 * never the files of other suites running at the same time. `entries()` lists what the code under test left there.
 */
export function privateTmpdir(): { dir: string; entries(): string[]; restore(): void } {
  const previous = process.env.TMPDIR;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-audio-test-tmp-'));
  process.env.TMPDIR = dir;
  return {
    dir,
    // Only our own names: tsx, for one, keeps its cache in the temp folder too.
    entries: () => readdirSync(dir).filter((n) => n.startsWith('earshot-') && !n.startsWith('earshot-audio-test-')),
    restore: () => {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
