/**
 * `earshot bench [file] [--model m] [--device d] [--threads n]`: how fast this machine decodes and transcribes, on
 * the device that really runs. Without a file it uses a minute of generated audio (speed, not accuracy).
 */
import { parseArgs } from 'node:util';
import { decodeToPcm16k } from '../core/audio/index.ts';
import { formatBytes } from '../core/format/sizes.ts';
import { intArg } from './args.ts';
import { MODEL_OPTIONS, openModel } from './model-choice.ts';

export const summary = 'Measure decoding and transcription speed on this machine';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...MODEL_OPTIONS,
      seconds: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'Usage: earshot bench [file] [--model <dir|id>] [--device auto|cpu|gpu] [--threads N] [--seconds 60]\n',
    );
    return 0;
  }
  let samples: Float32Array;
  let decodeNote = 'generated audio';
  if (positionals[0]) {
    const t0 = performance.now();
    const decoded = await decodeToPcm16k(positionals[0]);
    const s = (performance.now() - t0) / 1000;
    samples = decoded.samples;
    decodeNote = `${decoded.meta.container}/${decoded.meta.codec} via ${decoded.meta.decoder}: ${(decoded.meta.duration / s).toFixed(0)}× real time`;
  } else {
    samples = syntheticAudio(intArg(values.seconds, '--seconds', { fallback: 60 }));
  }
  const duration = samples.length / 16000;
  const t1 = performance.now();
  const model = await openModel(values);
  const loadSeconds = (performance.now() - t1) / 1000;
  try {
    const t2 = performance.now();
    await model.transcribe({ samples, sampleRate: 16000 }, {}).result();
    const seconds = (performance.now() - t2) / 1000;
    const rows = [
      ['model', model.name],
      ['device', model.device.label],
      ...model.device.fallbacks.map((f) => [`  ${f.provider}`, `unavailable: ${f.reason}`]),
      ['audio', `${duration.toFixed(1)} s (${decodeNote})`],
      ['model load', `${loadSeconds.toFixed(2)} s`],
      ['transcription', `${seconds.toFixed(2)} s = ${(duration / seconds).toFixed(1)}× real time`],
      ['peak memory', formatBytes(process.resourceUsage().maxRSS * 1024)],
    ];
    for (const [k, v] of rows) process.stdout.write(`${k.padEnd(14)} ${v}\n`);
  } finally {
    await model.dispose();
  }
  return 0;
}

/** Bursts of harmonic, speech-like tones separated by pauses, so VAD and decoders do realistic work. */
function syntheticAudio(seconds: number): Float32Array {
  const out = new Float32Array(Math.round(seconds * 16000));
  for (let i = 0; i < out.length; i++) {
    const t = i / 16000;
    const burst = t % 4 < 3 ? 1 : 0;
    const f0 = 120 + 30 * Math.sin(2 * Math.PI * 0.7 * t);
    let v = 0;
    for (let h = 1; h <= 8; h++) v += Math.sin(2 * Math.PI * f0 * h * t) / h;
    out[i] = burst * 0.1 * v;
  }
  return out;
}
