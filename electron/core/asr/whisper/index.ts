/**
 * Whisper on onnxruntime-node: loads a Hugging Face ONNX folder (onnx-community/whisper-*, Xenova/whisper-*) and
 * transcribes 16 kHz audio in sequential or batched mode. See README "Whisper models".
 */
import path from 'node:path';
import { EarshotError } from '../../errors.ts';
import { seededRandom } from '../../random.ts';
import type { LoadModelOptions } from '../types.ts';
import type { DeviceInfo, Pcm16k, SpeechModel, TranscribeOptions, TranscriptionRun } from '../types.ts';
import {
  checkWhisperFolder,
  chooseVariant,
  readDims,
  readGeneration,
  specialTokens,
  type WeightVariant,
  variantPaths,
} from './config.ts';
import { LogMel, SAMPLE_RATE } from './mel.ts';
import { ArraySource, type PcmSource, StreamSource } from '../pcm-source.ts';
import { SegmentStream } from '../segment-stream.ts';
import { WhisperSessions } from './sessions.ts';
import { WhisperTokenizer } from './tokenizer.ts';
import { detectLanguage, type ModelContext, runBatched, runSequential, type WhisperRunOptions } from './transcriber.ts';

export type { WhisperRunOptions } from './transcriber.ts';

/** Batched mode is the default: on CPU it is the faster one at equal text (see README and tools/bench/asr.ts). */
export const DEFAULT_MODE: NonNullable<TranscribeOptions['mode']> = 'batched';

export class WhisperModel implements SpeechModel {
  readonly family = 'whisper' as const;
  readonly name: string;
  readonly device: DeviceInfo;
  readonly languages: string[];
  readonly variant: WeightVariant;
  private readonly ctx: ModelContext;
  private busy: Promise<unknown> = Promise.resolve();

  /** Set when the preferred weights could not be used here (e.g. fp16 giving NaN on this GPU) and others run instead. */
  readonly notice?: string;

  constructor(name: string, variant: WeightVariant, ctx: ModelContext, notice?: string) {
    this.notice = notice;
    this.name = name;
    this.variant = variant;
    this.ctx = ctx;
    this.device = ctx.sessions.device;
    // .en tokenizers still hold the language tokens; the generation config says whether the model uses them.
    this.languages = ctx.generation.isMultilingual ? [...ctx.tokens.languages.keys()] : ['en'];
  }

  get context(): ModelContext {
    return this.ctx;
  }

  transcribe(audio: Pcm16k, options: WhisperRunOptions = {}): TranscriptionRun {
    if (audio.sampleRate !== SAMPLE_RATE) {
      throw new EarshotError('INVALID_PARAMETER', `Whisper needs 16 kHz audio (got ${audio.sampleRate} Hz)`);
    }
    return this.run(new ArraySource(audio.samples), options);
  }

  /**
   * The same from a stream of 16 kHz mono chunks (e.g. the audio module's decodeStream): only a few windows are
   * buffered, so a 2-hour file streams through. `durationHint` (seconds) makes progress meaningful before the end.
   */
  transcribeStream(
    chunks: AsyncIterable<Float32Array>,
    options: WhisperRunOptions & { durationHint?: number } = {},
  ): TranscriptionRun {
    return this.run(new StreamSource(chunks, Math.round((options.durationHint ?? 0) * SAMPLE_RATE)), options);
  }

  private run(source: PcmSource, options: WhisperRunOptions): TranscriptionRun {
    const language = options.language && options.language !== 'auto' ? options.language : undefined;
    if (language && !this.languages.includes(language)) {
      throw new EarshotError('INVALID_PARAMETER', `Language '${language}' is not supported by ${this.name}`);
    }
    if (
      options.task === 'translate' &&
      (!this.ctx.generation.isMultilingual || this.ctx.tokens.translate === undefined)
    ) {
      throw new EarshotError('INVALID_PARAMETER', `${this.name} is English-only and cannot translate`);
    }
    // One run at a time per model: the sessions are shared and a second run would only slow both down.
    const previous = this.busy;
    const stream = new SegmentStream(async (emit) => {
      await previous.catch(() => {});
      const detected = language ?? (await detectLanguage(this.ctx, source));
      const state = { language: detected, emit, progress: (f: number) => options.onProgress?.(f) };
      if ((options.mode ?? DEFAULT_MODE) === 'batched') await runBatched(this.ctx, source, options, state);
      else await runSequential(this.ctx, source, options, state);
      options.onProgress?.(1);
      const duration = source.available / SAMPLE_RATE;
      return { language: detected, duration, device: this.device, model: this.name };
    });
    this.busy = stream.result().catch(() => {});
    return stream;
  }

  async dispose(): Promise<void> {
    await this.busy;
    await this.ctx.sessions.release();
  }
}

export async function loadWhisperModel(dir: string, options: LoadModelOptions = {}): Promise<WhisperModel> {
  const available = await checkWhisperFolder(dir);
  const dims = readDims(dir);
  const tokenizer = WhisperTokenizer.fromFolder(dir);
  const tokens = specialTokens(tokenizer);
  const generation = readGeneration(dir, tokens);
  // The variant depends on the device, and the device is only known once a session loads: open with the variant
  // preferred for the requested device class, and reopen on CPU weights if we fell back to CPU.
  const wantsGpu = options.device !== undefined && options.device !== 'cpu';
  let variant = chooseVariant(available, wantsGpu ? 'cuda' : 'cpu', options.variant);
  let sessions = await WhisperSessions.open(variantPaths(dir, variant), dims, options);
  const cpuVariant = chooseVariant(available, 'cpu', options.variant);
  if (sessions.device.provider === 'cpu' && variant !== cpuVariant) {
    const fallbacks = sessions.device.fallbacks;
    await sessions.release();
    variant = cpuVariant;
    sessions = await WhisperSessions.open(variantPaths(dir, variant), dims, { ...options, device: 'cpu' });
    sessions.device.fallbacks.unshift(...fallbacks);
  }
  const mel = new LogMel(dims.nMels);
  let notice: string | undefined;
  if (variant === 'fp16' && !(await sessions.givesFiniteNumbers(mel.window(probeAudio()), tokens.sot))) {
    const device = sessions.device;
    const others = available.filter((v) => v !== 'fp16');
    const problem = `The fp16 weights give invalid numbers (NaN or infinity) on ${device.label}, a known problem of some GPUs`;
    if (options.variant || others.length === 0) {
      await sessions.release();
      throw new EarshotError(
        'MODEL_INVALID',
        others.length ? `${problem}; choose another variant (${others.join(', ')})` : `${problem}; use fp32 weights`,
      );
    }
    // Chosen automatically: move to the next variant on the same device and say so next to the results.
    await sessions.release();
    variant = chooseVariant(others, device.provider);
    sessions = await WhisperSessions.open(variantPaths(dir, variant), dims, { ...options, device: device.provider });
    sessions.device.fallbacks.unshift(...device.fallbacks);
    notice = `${problem}; using the ${variant} weights instead.`;
    sessions.device.note = notice;
  }
  sessions.alignmentHeads = generation.alignmentHeads.filter(
    ([layer, head]) => layer < dims.decoderLayers && head < dims.decoderHeads,
  );
  const ctx = { sessions, tokenizer, tokens, generation, mel };
  return new WhisperModel(path.basename(path.resolve(dir)), variant, ctx, notice);
}

/** Two seconds of a soft tone in light noise (deterministic): something for the load-time fp16 check to encode. */
function probeAudio(): Float32Array {
  const out = new Float32Array(2 * SAMPLE_RATE);
  const random = seededRandom(12345);
  for (let i = 0; i < out.length; i++) {
    out[i] = 0.1 * Math.sin((2 * Math.PI * 220 * i) / SAMPLE_RATE) + 0.01 * (random() - 0.5);
  }
  return out;
}
