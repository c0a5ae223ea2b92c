/**
 * One measured decode, run in its own process so peak RSS belongs to that decode alone.
 * Usage: tsx tools/bench/decode-child.ts <file> <native|wasm> [full|stream]
 * Prints one JSON line: { audioSeconds, wallSeconds, speed, cpuSeconds, cpuSpeed, peakRssMb, decoder }.
 * cpuSpeed (audio seconds per CPU second, this process and its ffmpeg child together) shows what the decoder does on
 * an uncontended core; on a shared machine wall-clock speed mostly measures the neighbours.
 */
import { readFileSync } from 'node:fs';
import { decodeStream, decodeToPcm16k } from '../../electron/core/audio/index.ts';

/** CPU seconds of this process (all threads) plus its waited-for children (Linux /proc; 0 for children elsewhere). */
function cpuSeconds(): number {
  const own = process.cpuUsage();
  let children = 0;
  try {
    // Fields 16 and 17 of /proc/self/stat (cutime, cstime) in clock ticks of 1/100 s; the name field may hold spaces.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    children = (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    // not Linux
  }
  return (own.user + own.system) / 1e6 + children;
}

const [file, decoder, mode = 'full'] = process.argv.slice(2);
if (!file || (decoder !== 'native' && decoder !== 'wasm')) {
  console.error('usage: decode-child.ts <file> <native|wasm> [full|stream]');
  process.exit(2);
}
const started = performance.now();
const cpuStart = cpuSeconds();
let audioSeconds: number;
let used: string;
if (mode === 'stream') {
  const stream = await decodeStream(file, { decoder });
  let samples = 0;
  for await (const chunk of stream) samples += chunk.length;
  audioSeconds = samples / 16000;
  used = stream.meta.decoder;
} else {
  const { samples, meta } = await decodeToPcm16k(file, { decoder });
  audioSeconds = samples.length / 16000;
  used = meta.decoder;
}
const wallSeconds = (performance.now() - started) / 1000;
const cpu = cpuSeconds() - cpuStart;
// maxRSS covers the whole process, worker threads and the wasm heap included (KiB on Linux).
const peakRssMb = process.resourceUsage().maxRSS / 1024;
console.log(
  JSON.stringify({
    audioSeconds,
    wallSeconds,
    speed: audioSeconds / wallSeconds,
    cpuSeconds: cpu,
    cpuSpeed: audioSeconds / cpu,
    peakRssMb,
    decoder: used,
  }),
);
