/**
 * Where one cached Whisper decoder step spends its time, and where the process's memory goes: the evidence behind
 * the limits in README "Speed against whisper.cpp (CPU)". Runs bench:asr's random model (generate it first with
 * `npm run bench:asr -- --sizes tiny --quick`, or tools/fixtures/make_whisper_fixture.py) through our sessions.
 *
 *   npx tsx tools/bench/asr-step.ts [--size tiny|base] [--variant fp32|quantized] [--threads 2] [--steps 95]
 *
 * 1. Resident memory after each phase (open, encode, prompt step, N cached steps) with our session options.
 * 2. N cached steps through WhisperSessions.step (ms per step, as the engine runs them).
 * 3. The same steps in a profiled copy of the decoder session (onnxruntime's own profiler): time per operator type
 *    and the slowest nodes, per step, and for the vocabulary projection (the step's one big MatMul) the rate at
 *    which it reads its weights: a step cannot be faster than reading every weight once.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type * as ort from 'onnxruntime-node';
import { readDims, variantPaths } from '../../electron/core/asr/whisper/config.ts';
import { type DecoderCache, WhisperSessions } from '../../electron/core/asr/whisper/sessions.ts';
import { modelDir, type Size } from './asr-models.ts';

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: 'tiny' },
    variant: { type: 'string', default: 'quantized' },
    threads: { type: 'string', default: '2' },
    steps: { type: 'string', default: '95' },
  },
});
const variant = args.variant as 'fp32' | 'quantized';
const threads = Number(args.threads);
const steps = Number(args.steps);
const dir = modelDir(path.join(os.tmpdir(), 'earshot-bench-asr'), args.size as Size);
const files = variantPaths(dir, variant);
const dims = readDims(dir);
const PROMPT = [50258, 50259, 50359, 50363]; // <|startoftranscript|> <|en|> <|transcribe|> <|notimestamps|>

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const phase = (label: string) =>
  console.log(
    `  ${label.padEnd(28)} resident ${mb(process.memoryUsage().rss).padStart(7)}, peak ${mb(process.resourceUsage().maxRSS * 1024).padStart(7)}`,
  );

/** A deterministic log-mel-like input: the step's cost does not depend on the audio. */
const features = new Float32Array(dims.nMels * 3000).map((_, i) => Math.sin(i * 0.01));

async function decodeSteps(
  step: (ids: number[][], cache: DecoderCache | null) => Promise<{ cache: DecoderCache; last: Float32Array }>,
): Promise<number> {
  let { cache, last } = await step([PROMPT], null);
  const t0 = performance.now();
  for (let n = 0; n < steps; n++) {
    let best = 0;
    for (let i = 1; i < last.length; i++) if (last[i] > last[best]) best = i;
    ({ cache, last } = await step([[best]], cache));
  }
  return (performance.now() - t0) / steps;
}

async function engineRun(): Promise<void> {
  console.log(`whisper-${args.size} dims, ${variant}, ${threads} threads, load average ${os.loadavg()[0].toFixed(1)}`);
  console.log(
    `files: encoder ${mb(statSync(files.encoder).size)}, decoder ${mb(statSync(files.decoder).size)} (weights)`,
  );
  phase('node + onnxruntime');
  const sessions = await WhisperSessions.open(files, dims, { device: 'cpu', threads });
  phase('sessions open');
  const hidden = await sessions.encode(features, 1);
  phase('encoded one window');
  const perStep = await decodeSteps((ids, cache) => sessions.step(ids, hidden, cache));
  phase(`prompt + ${steps} cached steps`);
  console.log(`cached step through WhisperSessions.step: ${perStep.toFixed(2)} ms`);
  await profile(hidden);
  await sessions.release();
}

interface ProfileEvent {
  cat: string;
  name: string;
  ts: number;
  dur: number;
  args?: { op_name?: string };
}

async function profile(hidden: ort.Tensor): Promise<void> {
  const prefix = path.join(os.tmpdir(), `earshot-asr-step-${process.pid}`);
  // Sessions of their own, whose decoder profiles, so the steps are exactly the engine's.
  const profiled = await WhisperSessions.open(files, dims, {
    device: 'cpu',
    threads,
    decoderOptions: { enableProfiling: true, profileFilePrefix: prefix },
  });
  await decodeSteps((ids, cache) => profiled.step(ids, hidden, cache));
  profiled.decoder.endProfiling();
  await profiled.release();
  const file = readdirSync(os.tmpdir())
    .map((f) => path.join(os.tmpdir(), f))
    .find((f) => f.startsWith(prefix));
  if (!file) throw new Error('onnxruntime wrote no profile');
  const events = JSON.parse(readFileSync(file, 'utf8')) as ProfileEvent[];
  rmSync(file);
  // The first two runs are the prompt (cross-attention K/V) and the first cached step (first-run allocations).
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').slice(2);
  const inRuns = (e: ProfileEvent) => runs.some((r) => e.ts >= r.ts && e.ts <= r.ts + r.dur);
  const kernels = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time') && inRuns(e));
  const runMs = runs.reduce((a, r) => a + r.dur, 0) / runs.length / 1000;
  const byOp = new Map<string, number>();
  const byNode = new Map<string, { op: string; us: number }>();
  for (const k of kernels) {
    const op = k.args?.op_name ?? '?';
    if (op === 'If') continue; // the merged decoder's branch: its nodes are counted one by one
    byOp.set(op, (byOp.get(op) ?? 0) + k.dur);
    const node = k.name.replace(/_kernel_time$/, '');
    byNode.set(node, { op, us: (byNode.get(node)?.us ?? 0) + k.dur });
  }
  const perRun = (us: number) => us / runs.length / 1000;
  const kernelMs = perRun([...byOp.values()].reduce((a, b) => a + b, 0));
  console.log(
    `\nonnxruntime profile, ${runs.length} cached steps: run ${runMs.toFixed(2)} ms/step, of which kernels ${kernelMs.toFixed(2)} ms`,
  );
  console.log('| operator type | ms/step | share of run |\n|---|---:|---:|');
  for (const [op, us] of [...byOp].sort((a, b) => b[1] - a[1]).slice(0, 8)) {
    console.log(`| ${op} | ${perRun(us).toFixed(3)} | ${((100 * perRun(us)) / runMs).toFixed(0)} % |`);
  }
  const top = [...byNode].sort((a, b) => b[1].us - a[1].us);
  console.log('slowest nodes (ms/step):');
  for (const [name, { op, us }] of top.slice(0, 5)) console.log(`  ${perRun(us).toFixed(3)}  ${op}  ${name}`);
  // The slowest node is the vocabulary projection (d_model × vocab weights, read in full every step).
  const [, { us }] = top[0];
  const weightBytes = dims.dModel * 51865 * (variant === 'quantized' ? 1 : 4);
  console.log(
    `the vocabulary projection reads ${mb(weightBytes)} of weights per step: ${(weightBytes / (perRun(us) / 1000) / 1e9).toFixed(1)} GB/s; the other ${kernels.length / runs.length - 1} kernels per step take ${(kernelMs - perRun(us)).toFixed(2)} ms together`,
  );
}

await engineRun();
