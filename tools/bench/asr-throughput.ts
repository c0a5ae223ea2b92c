/**
 * Whisper speed against the reference: our engine and transformers.js' automatic-speech-recognition pipeline on the
 * same model files, the same audio, the same thread count, each in its own process (so peak RSS is its own).
 *
 *   npm run bench:asr-throughput -- [--minutes 10] [--threads N] [--tokens 48] [--models fixture,tiny]
 *
 * Audio: the shared real-speech clips (LJ Speech, LibriVox, JFK), read in place, joined with 0.4 s pauses and
 * repeated to the requested length. Models: the committed random fixture, and a whisper-tiny-sized random model
 * generated once into the temp folder (never committed). Random weights rarely emit <|endoftext|>, so every window
 * decodes exactly --tokens tokens on both sides (max = min new tokens; 96 is about what a dense 30 s window of English
 * needs). Temperature fallback and the repetition
 * guard are off on our side because the reference has neither; word timestamps stay at our default (on).
 *
 * Rows: reference (30 s windows, greedy), ours sequential (the same windows, greedy: its text must be identical),
 * ours batched (the default mode: speech regions packed into ≤ 30 s spans, 8 per batch).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { prepareModel } from './asr-models.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    threads: { type: 'string', default: String(Math.min(4, os.availableParallelism())) },
    tokens: { type: 'string', default: '96' },
    models: { type: 'string', default: 'fixture,tiny' },
    child: { type: 'string' },
    model: { type: 'string' },
    audio: { type: 'string' },
    mode: { type: 'string' },
  },
});
const threads = Number(args.threads);
const tokens = Number(args.tokens);
const SHARED = path.resolve('../shared/data/speech');
const WORK = path.join(os.tmpdir(), 'earshot-bench-asr');

interface ChildResult {
  seconds: number;
  loadSeconds: number;
  maxRssMb: number;
  windows: number;
  texts: string[];
}

function decode(file: string): Float32Array {
  const out = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-ar', '16000', '-ac', '1', '-f', 'f32le', '-'], {
    maxBuffer: 1 << 30,
  });
  return new Float32Array(out.buffer, out.byteOffset, out.length / 4).slice();
}

function prepareAudio(minutes: number): string {
  const file = path.join(WORK, `speech-${minutes}min.f32`);
  if (existsSync(file)) return file;
  const clips = ['ljspeech', 'librivox', 'misc'].flatMap((d) =>
    readdirSync(path.join(SHARED, d))
      .filter((f) => /\.(wav|flac)$/.test(f))
      .sort()
      .map((f) => decode(path.join(SHARED, d, f))),
  );
  const total = minutes * 60 * 16000;
  const out = new Float32Array(total);
  let at = 0;
  for (let i = 0; at < total; i++) {
    const clip = clips[i % clips.length];
    out.set(clip.subarray(0, Math.min(clip.length, total - at)), at);
    at += clip.length + Math.round(0.4 * 16000);
  }
  writeFileSync(file, Buffer.from(out.buffer));
  return file;
}

function readAudio(file: string): Float32Array {
  const buf = readFileSync(file);
  return new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
}

function windowsOf(audio: Float32Array): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < audio.length; i += 480000) out.push(audio.subarray(i, i + 480000));
  return out;
}

async function runReference(dir: string, audio: Float32Array): Promise<ChildResult> {
  const t = await import('@huggingface/transformers');
  t.env.allowRemoteModels = false;
  t.env.localModelPath = `${path.dirname(dir)}/`;
  const multilingual = JSON.parse(readFileSync(path.join(dir, 'generation_config.json'), 'utf8')).is_multilingual;
  const t0 = performance.now();
  const asr = await t.pipeline('automatic-speech-recognition', path.basename(dir), {
    dtype: 'fp32',
    session_options: { intraOpNumThreads: threads, interOpNumThreads: 1 },
  } as never);
  const loadSeconds = (performance.now() - t0) / 1000;
  const start = performance.now();
  const texts: string[] = [];
  for (const win of windowsOf(audio)) {
    const out = (await asr(win, {
      ...(multilingual ? { language: 'en', task: 'transcribe' } : {}),
      max_new_tokens: tokens,
      min_new_tokens: tokens,
    } as never)) as { text: string };
    texts.push(out.text);
  }
  const seconds = (performance.now() - start) / 1000;
  return { seconds, loadSeconds, maxRssMb: process.resourceUsage().maxRSS / 1024, windows: texts.length, texts };
}

async function runOurs(dir: string, audio: Float32Array, mode: 'sequential' | 'batched'): Promise<ChildResult> {
  const { loadWhisperModel } = await import('../../electron/core/asr/whisper/index.ts');
  const t0 = performance.now();
  const model = await loadWhisperModel(dir, { device: 'cpu', threads });
  const loadSeconds = (performance.now() - t0) / 1000;
  const start = performance.now();
  const texts: string[] = [];
  await model
    .transcribe(
      { samples: audio, sampleRate: 16000 },
      {
        mode,
        language: model.languages.length > 1 ? 'en' : undefined,
        timestamps: false,
        maxNewTokens: tokens,
        minNewTokens: tokens,
        temperatureFallback: false,
        repetitionGuard: false,
        onWindow: (w) => texts.push(model.context.tokenizer.decode(w.tokens, model.context.tokens.eot)),
      },
    )
    .result();
  const seconds = (performance.now() - start) / 1000;
  await model.dispose();
  return { seconds, loadSeconds, maxRssMb: process.resourceUsage().maxRSS / 1024, windows: texts.length, texts };
}

function child(kind: string, model: string, audio: string, mode?: string): ChildResult {
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'tools/bench/asr-throughput.ts',
      '--child',
      kind,
      '--model',
      model,
      '--audio',
      audio,
      '--mode',
      mode ?? '',
      '--threads',
      String(threads),
      '--tokens',
      String(tokens),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !line.startsWith('{')) throw new Error(`${kind} ${mode ?? ''} failed (status ${run.status})`);
  return JSON.parse(line);
}

async function main(): Promise<void> {
  if (args.child) {
    const audio = readAudio(args.audio as string);
    const result =
      args.child === 'reference'
        ? await runReference(args.model as string, audio)
        : await runOurs(args.model as string, audio, args.mode as 'sequential' | 'batched');
    console.log(JSON.stringify(result));
    return;
  }
  mkdirSync(WORK, { recursive: true });
  const minutes = Number(args.minutes);
  const audioFile = prepareAudio(minutes);
  const audioSeconds = minutes * 60;
  const models = (args.models as string).split(',').map((m) =>
    m === 'tiny'
      ? { name: 'whisper-tiny-sized random (39M)', dir: prepareModel(WORK, 'tiny') }
      : {
          name: 'fixture whisper-tiny-random',
          dir: path.resolve('test/fixtures/models/whisper-tiny-random'),
        },
  );
  console.log(
    `audio ${audioSeconds} s of speech, ${threads} threads, ${tokens} tokens per window, CPU (${os.cpus()[0]?.model})`,
  );
  for (const m of models) {
    const ref = child('reference', m.dir, audioFile);
    const seq = child('ours', m.dir, audioFile, 'sequential');
    const bat = child('ours', m.dir, audioFile, 'batched');
    const same = seq.texts.join('') === ref.texts.join('');
    const firstDiff = seq.texts.findIndex((t, i) => t !== ref.texts[i]);
    const dump = path.join(WORK, `texts-${path.basename(m.dir)}.json`);
    writeFileSync(dump, JSON.stringify({ reference: ref.texts, sequential: seq.texts, batched: bat.texts }, null, 1));
    console.log(`\n${m.name}`);
    console.log('| run | windows | wall s | RTF | x real time | peak RSS MB | speed vs reference |');
    console.log('|---|---|---|---|---|---|---|');
    for (const [label, r] of [
      ['transformers.js pipeline (reference)', ref],
      ['earshot sequential greedy', seq],
      ['earshot batched (default)', bat],
    ] as const) {
      console.log(
        `| ${label} | ${r.windows} | ${r.seconds.toFixed(1)} | ${(r.seconds / audioSeconds).toFixed(4)} | ${(audioSeconds / r.seconds).toFixed(1)} | ${r.maxRssMb.toFixed(0)} | ${(ref.seconds / r.seconds).toFixed(2)}× |`,
      );
    }
    console.log(
      `sequential greedy text identical to the reference: ${same ? 'yes' : `NO (first differing window ${firstDiff}, texts in ${dump})`}`,
    );
    console.log(`model load s: reference ${ref.loadSeconds.toFixed(1)}, ours ${seq.loadSeconds.toFixed(1)}`);
  }
}

await main();
