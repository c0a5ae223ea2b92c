/**
 * `npm run bench:decode`: for a 10-minute file in each format, decode throughput (× real time) and peak RSS of the
 * native ffmpeg and the built-in WebAssembly decoder, side by side. Each decode runs in its own process for honest
 * RSS. "× per CPU-s" (audio seconds per CPU second, ffmpeg child included) is the speed on an uncontended core. Test media is generated once into $TMPDIR/earshot-bench-decode (10 s of speech + tone, looped 60 times).
 * Options: --keep (keep the media), --formats wav,mp3,...
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFfmpeg } from '../../electron/core/audio/index.ts';
import { type DecodeMeasurement, measureDecode } from './measure.ts';

const SECONDS = 600;
const dir = path.join(os.tmpdir(), 'earshot-bench-decode');
const FORMATS: Record<string, string[]> = {
  wav: ['-c:a', 'pcm_s16le', '-f', 'wav'],
  mp3: ['-c:a', 'libmp3lame', '-b:a', '128k', '-f', 'mp3'],
  ogg: ['-c:a', 'libvorbis', '-q:a', '4', '-f', 'ogg'],
  opus: ['-c:a', 'libopus', '-b:a', '64k', '-f', 'opus'],
  flac: ['-c:a', 'flac', '-f', 'flac'],
  m4a: ['-c:a', 'aac', '-b:a', '128k', '-f', 'ipod'],
  webm: ['-c:a', 'libopus', '-b:a', '64k', '-f', 'webm'],
  mp4: ['-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-b:a', '128k', '-f', 'mp4'],
};

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

function makeMedia(formats: string[]): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  const base = path.join(dir, 'base10.wav');
  if (!existsSync(base)) {
    const speech = path.join(dir, 'speech.wav');
    execFileSync('espeak-ng', [
      '-w',
      speech,
      'This is a ten second loop of speech and a tone, used to measure how fast audio decodes.',
    ]);
    ffmpeg([
      '-i',
      speech,
      '-f',
      'lavfi',
      '-i',
      'sine=f=440:d=10:sample_rate=44100',
      '-filter_complex',
      '[0:a]aresample=44100,apad,atrim=0:10[s];[1:a]volume=0.2[t];[s][t]join=inputs=2:channel_layout=stereo',
      base,
    ]);
  }
  const files: Record<string, string> = {};
  for (const format of formats) {
    const file = path.join(dir, `ten-minutes.${format}`);
    if (!existsSync(file)) {
      const video = format === 'mp4' ? ['-f', 'lavfi', '-i', `testsrc=size=320x240:rate=25:duration=${SECONDS}`] : [];
      ffmpeg([
        ...video,
        '-stream_loop',
        String(SECONDS / 10 - 1),
        '-i',
        base,
        '-t',
        String(SECONDS),
        ...FORMATS[format],
        file,
      ]);
    }
    files[format] = file;
  }
  return files;
}

const args = process.argv.slice(2);
const only = args
  .find((a) => a.startsWith('--formats='))
  ?.slice('--formats='.length)
  .split(',');
const formats = only ?? Object.keys(FORMATS);
console.log(`Generating ${SECONDS / 60}-minute test files in ${dir} ...`);
const files = makeMedia(formats);
const native = await findFfmpeg();
console.log(
  `native ffmpeg: ${native ?? 'not found'}; CPUs: ${os.availableParallelism()} (${os.cpus()[0]?.model ?? '?'}); load ${os.loadavg()[0].toFixed(2)}\n`,
);

const rows: string[] = [];
rows.push(
  '| format | native × real time | native × per CPU-s | native peak RSS | wasm × real time | wasm × per CPU-s | wasm peak RSS |',
);
rows.push('|---|---:|---:|---:|---:|---:|---:|');
const cells = (m: DecodeMeasurement | null) =>
  m ? [`${m.speed.toFixed(0)}×`, `${m.cpuSpeed.toFixed(0)}×`, `${m.peakRssMb.toFixed(0)} MB`] : ['n/a', 'n/a', 'n/a'];
for (const format of formats) {
  const n = native ? await measureDecode(files[format], 'native') : null;
  const w = await measureDecode(files[format], 'wasm');
  for (const m of [n, w]) {
    if (m && Math.abs(m.audioSeconds - SECONDS) > 0.1)
      throw new Error(`${format}: decoded ${m.audioSeconds} s, expected ${SECONDS}`);
  }
  rows.push(`| ${format} | ${[...cells(n), ...cells(w)].join(' | ')} |`);
  console.log(rows.at(-1));
}
console.log(`load average after: ${os.loadavg()[0].toFixed(2)}`);
console.log(`\n${rows.join('\n')}`);
if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
