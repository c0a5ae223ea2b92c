/**
 * One measured run for bench:diarize, in its own process so peak RSS is its own: decode a file as a stream and
 * transcribe it with the bundled model, with or without diarization alongside.
 * Usage: tsx diarize-child.ts <file> <plain|diarize> [reference.json]
 * Prints one JSON line: {wallSeconds, cpuSeconds (whole process), audioSeconds, peakRssMb, speakers, segments, der?}.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadSpeechModel } from '../../electron/core/asr/load-model.ts';
import { decodeStream } from '../../electron/core/audio/index.ts';
import { transcribeAlongside } from '../../electron/core/diarize/alongside.ts';
import { diarizationErrorRate } from '../../electron/core/diarize/der.ts';
import { createDiarizer, type SpeakerTurn } from '../../electron/core/diarize/index.ts';

const [file, mode, referenceFile] = process.argv.slice(2);
const model = await loadSpeechModel(path.resolve(import.meta.dirname, '../../models/demo-en'), {
  device: 'cpu',
  threads: Number(process.env.BENCH_THREADS ?? 2),
});
let peak = 0;
const sample = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 200);
const started = performance.now();
const stream = await decodeStream(file);
const options = { wordTimestamps: true, durationHint: stream.meta.duration };
let result: Awaited<ReturnType<ReturnType<typeof model.transcribeStream>['result']>>;
let turns: SpeakerTurn[] = [];
if (mode === 'diarize') {
  const { run, label } = transcribeAlongside(model, stream, options, await createDiarizer());
  const labelled = await label(await run.result());
  result = labelled.result;
  turns = labelled.diarization.turns;
} else {
  result = await model.transcribeStream(stream, options).result();
}
await stream.close();
const wallSeconds = (performance.now() - started) / 1000;
clearInterval(sample);
peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
const cpu = process.cpuUsage();
const out: Record<string, unknown> = {
  wallSeconds,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
  audioSeconds: result.duration,
  peakRssMb: peak / 1e6,
  speakers: result.diarization?.speakers.length ?? 0,
  segments: result.segments.length,
};
if (referenceFile && mode === 'diarize') {
  const reference = JSON.parse(readFileSync(referenceFile, 'utf8'));
  out.der = diarizationErrorRate(reference, turns).der;
}
await model.dispose();
console.log(JSON.stringify(out));
