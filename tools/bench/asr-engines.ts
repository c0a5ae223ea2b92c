/**
 * One engine on one 30 s window of dense speech, in its own process (bench:asr runs each as a child, so peak RSS is
 * that engine's alone). Every engine decodes the same window greedily, with the same prompt (<|en|> <|transcribe|>
 * <|notimestamps|>), to exactly N new tokens (random weights rarely end on their own; ours and transformers.js
 * suppress <|endoftext|> before N, whisper.cpp stops at max_tokens), N = 1, 32 and 96:
 * - first token: N = 1, i.e. log-mel + encoder + cross-attention K/V + the prompt step;
 * - decode ms/token: (time(96) - time(1)) / 95; whisper.cpp (time(32) - time(1)) / 31, see below;
 * - window: time(96), dense speech (≈ 96 tokens per 30 s of English).
 * whisper.cpp retries a window at higher temperatures when it looks bad (its temperature fallback, which the
 * binding cannot turn off) and, past 32 tokens, when it repeats itself (an entropy check); random weights can trip
 * that, so its 96-token window is first token + 95 x its per-token time, and its 32-token text is compared with
 * ours to show that it decoded greedily once.
 */
import path from 'node:path';

export type Engine = 'ours' | 'transformers.js' | 'whisper.cpp';

export interface EngineResult {
  loadSeconds: number;
  /** Seconds for N = 1, 32, 96 (median over repetitions); 96 is absent for whisper.cpp. */
  seconds: Record<string, number>;
  /** Text of the 32-token decode, for the parity comparison. */
  text32: string;
  peakRssMb: number;
}

export interface EngineRequest {
  engine: Engine;
  /** Model folder (ours, transformers.js) or ggml file (whisper.cpp). */
  model: string;
  variant: string;
  audio: Float32Array;
  threads: number;
  reps: number;
}

type Decode = (tokens: number) => Promise<string>;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function time(decode: Decode, reps: number, counts: number[]) {
  await decode(4); // warm-up: first-run allocations and lazy initialisation are not what we compare
  const samples: Record<string, number[]> = Object.fromEntries(counts.map((n) => [n, []]));
  let text32 = '';
  for (let r = 0; r < reps; r++) {
    for (const n of counts) {
      const t0 = performance.now();
      const text = await decode(n);
      samples[n].push((performance.now() - t0) / 1000);
      if (n === 32) text32 = text;
    }
  }
  const seconds = Object.fromEntries(Object.entries(samples).map(([n, xs]) => [n, median(xs)]));
  return { seconds, text32 };
}

async function ours(req: EngineRequest): Promise<Decode & { load: number }> {
  const { loadWhisperModel } = await import('../../electron/core/asr/whisper/index.ts');
  const { searchWindows } = await import('../../electron/core/asr/whisper/search.ts');
  const { buildPrefix } = await import('../../electron/core/asr/whisper/transcriber.ts');
  const t0 = performance.now();
  const model = await loadWhisperModel(req.model, {
    device: 'cpu',
    threads: req.threads,
    variant: req.variant as 'fp32' | 'quantized',
  });
  const load = (performance.now() - t0) / 1000;
  const ctx = model.context;
  const { prefix, sotIndex } = buildPrefix(ctx, 'en', 'transcribe', false);
  const decode = async (n: number) => {
    const hidden = await ctx.sessions.encode(ctx.mel.window(req.audio), 1);
    const [d] = await searchWindows(ctx.sessions, hidden, 1, {
      filters: { tokens: ctx.tokens, generation: ctx.generation, timestamps: false },
      prefix,
      sotIndex,
      maxNewTokens: n,
      minNewTokens: n,
      temperature: 0,
      beamSize: 1,
    });
    return ctx.tokenizer.decode(d.tokens, ctx.tokens.eot);
  };
  return Object.assign(decode, { load });
}

async function transformersJs(req: EngineRequest): Promise<Decode & { load: number }> {
  const t = await import('@huggingface/transformers');
  t.env.allowRemoteModels = false;
  t.env.localModelPath = `${path.dirname(req.model)}/`;
  const name = path.basename(req.model);
  const t0 = performance.now();
  const model = await t.WhisperForConditionalGeneration.from_pretrained(name, {
    dtype: req.variant === 'quantized' ? 'q8' : 'fp32',
    session_options: { intraOpNumThreads: req.threads, interOpNumThreads: 1 },
  } as never);
  const processor = await t.AutoProcessor.from_pretrained(name);
  const tokenizer = await t.AutoTokenizer.from_pretrained(name);
  const load = (performance.now() - t0) / 1000;
  const decode = async (n: number) => {
    const { input_features } = await processor(req.audio);
    const out = await model.generate({
      inputs: input_features,
      language: 'en',
      task: 'transcribe',
      return_timestamps: false,
      max_new_tokens: n,
      min_new_tokens: n,
    } as never);
    const ids = (out as { tolist(): bigint[][] }).tolist()[0].map(Number);
    return tokenizer.decode(ids, { skip_special_tokens: true });
  };
  return Object.assign(decode, { load });
}

async function whisperCpp(req: EngineRequest): Promise<Decode & { load: number }> {
  const { Whisper, WhisperFullParams, WhisperSamplingStrategy } = await import('@napi-rs/whisper');
  const t0 = performance.now();
  const whisper = new Whisper(req.model, { useGpu: false });
  const load = (performance.now() - t0) / 1000;
  const decode = async (n: number) => {
    const p = new WhisperFullParams(WhisperSamplingStrategy.Greedy);
    p.nThreads = req.threads;
    p.language = 'en';
    p.noTimestamps = true;
    p.singleSegment = true;
    p.noContext = true;
    p.maxTokens = n;
    p.temperature = 0;
    p.suppressNonSpeechTokens = true; // as generation_config.suppress_tokens does for the ONNX engines
    p.printProgress = false;
    p.printRealtime = false;
    p.printTimestamps = false;
    return whisper.full(p, req.audio);
  };
  return Object.assign(decode, { load });
}

export async function runEngine(req: EngineRequest): Promise<EngineResult> {
  const open = { ours, 'transformers.js': transformersJs, 'whisper.cpp': whisperCpp }[req.engine];
  const decode = await open(req);
  const counts = req.engine === 'whisper.cpp' ? [1, 32] : [1, 32, 96];
  const { seconds, text32 } = await time(decode, req.reps, counts);
  return { loadSeconds: decode.load, seconds, text32, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}
