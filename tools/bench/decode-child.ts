/**
 * One measured decode, run in its own process so peak RSS belongs to that decode alone.
 * Usage: tsx tools/bench/decode-child.ts <file> <native|wasm> [full|stream]
 * Prints one JSON line: { audioSeconds, wallSeconds, speed, peakRssMb, decoder }.
 */
import { decodeStream, decodeToPcm16k } from '../../electron/core/audio/index.ts';

const [file, decoder, mode = 'full'] = process.argv.slice(2);
if (!file || (decoder !== 'native' && decoder !== 'wasm')) {
  console.error('usage: decode-child.ts <file> <native|wasm> [full|stream]');
  process.exit(2);
}
const started = performance.now();
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
// maxRSS covers the whole process, worker threads and the wasm heap included (KiB on Linux).
const peakRssMb = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({ audioSeconds, wallSeconds, speed: audioSeconds / wallSeconds, peakRssMb, decoder: used }));
