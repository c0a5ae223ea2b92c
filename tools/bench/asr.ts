/**
 * Whisper on CPU, side by side in one run: our engine (fp32 and int8 `quantized`), transformers.js (the reference
 * pipeline's model, same ONNX files) and whisper.cpp (@napi-rs/whisper, a prebuilt whisper.cpp binding; f16 — its
 * default — and q8_0 ggml files of the same weights; the binding's ggml cannot run f32 files: its conv asserts an
 * f16 kernel), at whisper-tiny and whisper-base dimensions, on the same threads and the same 30 s window of speech.
 * whisper.cpp's threads wait for each other by spinning, so on a machine busy with other work its 2-thread figures
 * collapse (a waiting thread burns the core the other needs): compare on an idle machine, or with --threads 1.
 *
 *   npm run bench:asr [-- --quick] [-- --threads 2 --rounds 3 --reps 3 --sizes tiny,base]
 *
 * Every configuration runs in its own process, and the configurations are interleaved round by round (the order
 * rotates) so that load from other processes falls on all of them alike; the table shows medians over rounds and
 * ratios to whisper.cpp f16 from the same run. Methods per engine: tools/bench/asr-engines.ts. Models:
 * tools/bench/asr-models.ts (generated once into the temp folder). The 10-minute throughput comparison with
 * transformers.js' pipeline is `npm run bench:asr-throughput`; where one decoder step's time and the process's memory
 * go: tools/bench/asr-step.ts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Engine, type EngineResult, runEngine } from './asr-engines.ts';
import { prepareModel, SIZES, type Size } from './asr-models.ts';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    threads: { type: 'string', default: '2' },
    rounds: { type: 'string' },
    reps: { type: 'string' },
    sizes: { type: 'string', default: SIZES.join(',') },
    child: { type: 'string' },
  },
});
const threads = Number(args.threads);
const rounds = Number(args.rounds ?? (args.quick ? 1 : 3));
const reps = Number(args.reps ?? (args.quick ? 1 : 3));
const WORK = path.join(os.tmpdir(), 'earshot-bench-asr');
const SPEECH = path.resolve('../shared/data/speech');

interface Config {
  label: string;
  engine: Engine;
  variant: string;
}

const CONFIGS: Config[] = [
  { label: 'whisper.cpp f16 (its default)', engine: 'whisper.cpp', variant: 'f16' },
  { label: 'whisper.cpp q8_0', engine: 'whisper.cpp', variant: 'q8_0' },
  { label: 'transformers.js fp32', engine: 'transformers.js', variant: 'fp32' },
  { label: 'transformers.js int8 (q8)', engine: 'transformers.js', variant: 'quantized' },
  { label: 'ours fp32', engine: 'ours', variant: 'fp32' },
  { label: 'ours int8 `quantized` (CPU default)', engine: 'ours', variant: 'quantized' },
];

/** 30 s of dense read speech: the shared clips back to back (0.2 s apart), read in place. */
function speechWindow(): string {
  const file = path.join(WORK, 'speech-30s.f32');
  if (existsSync(file)) return file;
  // What a fresh machine may lack, said before anything runs (the models' Python needs: asr-models.ts).
  const missing = [
    spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).error
      ? 'ffmpeg (decodes the speech clips): apt-get install -y --no-install-recommends ffmpeg'
      : '',
    existsSync(SPEECH) ? '' : `the test speech clips in ${SPEECH} (see ../shared/data/MANIFEST.md)`,
  ].filter(Boolean);
  if (missing.length) {
    console.error(`bench:asr needs:\n  ${missing.join('\n  ')}`);
    process.exit(2);
  }
  const out = new Float32Array(30 * 16000);
  let at = 0;
  for (const dir of ['librivox', 'ljspeech', 'misc']) {
    for (const name of readdirSync(path.join(SPEECH, dir))
      .filter((f) => /\.(wav|flac)$/.test(f))
      .sort()) {
      if (at >= out.length) break;
      const pcm = execFileSync(
        'ffmpeg',
        ['-v', 'error', '-i', path.join(SPEECH, dir, name), '-ar', '16000', '-ac', '1', '-f', 'f32le', '-'],
        {
          maxBuffer: 1 << 28,
        },
      );
      const clip = new Float32Array(pcm.buffer, pcm.byteOffset, pcm.length / 4);
      out.set(clip.subarray(0, out.length - at), at);
      at += clip.length + 3200;
    }
  }
  writeFileSync(file, Buffer.from(out.buffer));
  return file;
}

function runChild(config: Config, dir: string, audio: string): EngineResult | string {
  const model = config.engine === 'whisper.cpp' ? path.join(dir, `ggml-model-${config.variant}.bin`) : dir;
  const request = JSON.stringify({ engine: config.engine, model, variant: config.variant, audio, threads, reps });
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'tools/bench/asr.ts', '--child', request], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !line.startsWith('{'))
    return `failed (status ${run.status}): ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`;
  return JSON.parse(line);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Row {
  first: number;
  perTokenMs: number;
  window: number;
  rss: number;
  load: number;
  text32: string;
}

function summarise(results: EngineResult[], engine: Engine): Row {
  // The longest decode the engine allows gives the most signal: 95 tokens, 31 for whisper.cpp (asr-engines.ts).
  const per = (r: EngineResult) =>
    engine === 'whisper.cpp'
      ? ((r.seconds['32'] - r.seconds['1']) / 31) * 1000
      : ((r.seconds['96'] - r.seconds['1']) / 95) * 1000;
  const perTokenMs = median(results.map(per));
  const first = median(results.map((r) => r.seconds['1']));
  const window =
    engine === 'whisper.cpp' ? first + (95 * perTokenMs) / 1000 : median(results.map((r) => r.seconds['96']));
  return {
    first,
    perTokenMs,
    window,
    rss: median(results.map((r) => r.peakRssMb)),
    load: median(results.map((r) => r.loadSeconds)),
    text32: results[results.length - 1].text32,
  };
}

function printTable(size: Size, rows: Map<string, Row>, failures: Map<string, string>): void {
  const base = rows.get(CONFIGS[0].label);
  const ratio = (x: number, y: number | undefined) => (y ? `${(x / y).toFixed(2)}×` : '–');
  console.log(`\n### whisper-${size} dimensions, random weights, ${threads} threads`);
  console.log(
    '| engine | first token s (mel+encoder+prompt) | decode ms/token | window s (encoder + 96 tokens) | windows/s | peak RSS MB | token ÷ cpp f16 | window ÷ cpp f16 | RSS ÷ cpp f16 |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const c of CONFIGS) {
    const r = rows.get(c.label);
    if (!r) {
      console.log(`| ${c.label} | ${failures.get(c.label) ?? 'not run'} |||||||`);
      continue;
    }
    console.log(
      `| ${c.label} | ${r.first.toFixed(3)} | ${r.perTokenMs.toFixed(2)} | ${r.window.toFixed(3)}${c.engine === 'whisper.cpp' ? '*' : ''} | ${(1 / r.window).toFixed(2)} | ${r.rss.toFixed(0)} | ${ratio(r.perTokenMs, base?.perTokenMs)} | ${ratio(r.window, base?.window)} | ${ratio(r.rss, base?.rss)} |`,
    );
  }
  console.log('* whisper.cpp window = first token + 95 × its decode ms/token (see tools/bench/asr-engines.ts)');
  const text = (label: string) => rows.get(label)?.text32.trim();
  const same = (a: string, b: string) => {
    const x = text(a);
    const y = text(b);
    if (x === undefined || y === undefined) return 'not run';
    if (x === y) return 'identical';
    const wa = x.split(/\s+/);
    const wb = y.split(/\s+/);
    let k = 0;
    while (k < wa.length && k < wb.length && wa[k] === wb[k]) k++;
    return `differ after ${k} of ${wa.length} words`;
  };
  console.log('greedy text of the same window (32 tokens):');
  console.log(`- ours fp32 vs transformers.js fp32: ${same('ours fp32', 'transformers.js fp32')}`);
  console.log(`- ours fp32 vs whisper.cpp f16: ${same('ours fp32', 'whisper.cpp f16 (its default)')}`);
  console.log(`- ours int8 vs whisper.cpp q8_0: ${same('ours int8 `quantized` (CPU default)', 'whisper.cpp q8_0')}`);
  console.log(
    `- ours int8 vs transformers.js int8: ${same('ours int8 `quantized` (CPU default)', 'transformers.js int8 (q8)')}`,
  );
}

async function main(): Promise<void> {
  if (args.child) {
    const req = JSON.parse(args.child);
    const buf = readFileSync(req.audio);
    const audio = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
    console.log(JSON.stringify(await runEngine({ ...req, audio })));
    return;
  }
  mkdirSync(WORK, { recursive: true });
  const sizes = (args.sizes as string).split(',') as Size[];
  const dirs = new Map(sizes.map((s) => [s, prepareModel(WORK, s)]));
  const audio = speechWindow();
  console.log(
    `30 s window of real speech, ${threads} threads, ${rounds} rounds × ${reps} repetitions, CPU ${os.cpus()[0]?.model}, load average ${os.loadavg()[0].toFixed(1)} on ${os.availableParallelism()} cores`,
  );
  for (const size of sizes) {
    const results = new Map<string, EngineResult[]>();
    const failures = new Map<string, string>();
    for (let round = 0; round < rounds; round++) {
      const order = CONFIGS.map((_, i) => CONFIGS[(i + round) % CONFIGS.length]);
      for (const c of order) {
        const r = runChild(c, dirs.get(size) as string, audio);
        if (typeof r === 'string') failures.set(c.label, r);
        else results.set(c.label, [...(results.get(c.label) ?? []), r]);
        process.stderr.write('.');
      }
    }
    const rows = new Map(
      [...results].map(([label, rs]) => [
        label,
        summarise(rs, CONFIGS.find((c) => c.label === label)?.engine as Engine),
      ]),
    );
    printTable(size, rows, failures);
  }
}

await main();
