/**
 * `npm run bench:decode-long`: a 2-hour MP3 (mono, 32 kbps) through the WebAssembly decoder, measuring peak RSS of
 * the whole process (target < 1.5 GB): once keeping all samples (decodeToPcm16k, 460 MB of output by itself) and
 * once streaming (decodeStream). Then a 2.3 GB WAV, larger than the wasm heap. Too slow for `npm test` on a 2-core
 * machine, hence a benchmark.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measureDecode } from './measure.ts';

const HOURS = 2;
const dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-bench-long-'));
try {
  const piece = path.join(dir, 'piece.mp3');
  const file = path.join(dir, 'two-hours.mp3');
  // Encode 10 minutes once and join 12 copies without re-encoding: minutes instead of an hour of encoding.
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'anoisesrc=d=600:c=pink:r=22050:a=0.2',
    '-ac',
    '1',
    '-b:a',
    '32k',
    piece,
  ]);
  const list = path.join(dir, 'list.txt');
  writeFileSync(list, Array.from({ length: HOURS * 6 }, () => `file '${piece}'`).join('\n'));
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', file]);
  console.log(`${file}: ${(statSync(file).size / 1e6).toFixed(1)} MB`);
  for (const mode of ['full', 'stream'] as const) {
    const m = await measureDecode(file, 'wasm', mode);
    const ok = m.peakRssMb < 1536 ? 'under' : 'OVER';
    console.log(
      `wasm ${mode.padEnd(6)}: ${(m.audioSeconds / 3600).toFixed(3)} h decoded in ${m.wallSeconds.toFixed(1)} s ` +
        `(${m.speed.toFixed(0)}× real time), peak RSS ${m.peakRssMb.toFixed(0)} MB (${ok} the 1.5 GB target)`,
    );
  }
  // A WAV larger than the wasm heap (and than 2^31 bytes): it is read through WORKERFS, never copied into the heap.
  const wav = path.join(dir, 'big.wav');
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'sine=f=300:d=6000:sample_rate=48000',
    '-ac',
    '2',
    '-c:a',
    'pcm_f32le',
    wav,
  ]);
  const m = await measureDecode(wav, 'wasm', 'stream');
  console.log(
    `wasm stream, ${(statSync(wav).size / 1e9).toFixed(2)} GB float WAV (100 min, 48 kHz stereo): decoded in ${m.wallSeconds.toFixed(1)} s ` +
      `(${m.speed.toFixed(0)}× real time), peak RSS ${m.peakRssMb.toFixed(0)} MB`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
