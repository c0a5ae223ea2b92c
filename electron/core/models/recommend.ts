/**
 * Which model to suggest for this machine, and a short measured calibration of the installed one.
 *
 * The rule is deliberately plain (memory and devices decide, speed is measured rather than guessed):
 * - the chosen variant's weights must fit in a quarter of the RAM (the app, the audio and the OS need the rest);
 * - with a GPU (CUDA, DirectML, CoreML) large-v3-turbo in fp16 is the best accuracy that still decodes fast;
 * - on CPU only, the int8 ("quantized") variants: small with 8+ cores and 16 GB, base with 8 GB, tiny below that;
 * - English-only machines get the `.en` model where one exists (more accurate at the same size).
 */
import os from 'node:os';
import * as ort from 'onnxruntime-node';
import { speechFamily } from '../asr/families.ts';
import type { SpeechFamily } from '../asr/family.ts';
import { createSession, SessionCreateError } from '../onnx/device.ts';
import type { DeviceInfo } from '../onnx/types.ts';
import {
  type Catalog,
  isBundled,
  isWhisperEntry,
  loadCatalog,
  variantSize,
  type WhisperCatalogEntry,
} from './catalog.ts';
import type { ModelFamily } from './validate.ts';

export interface MachineFacts {
  memoryBytes: number;
  /** Execution providers available here, e.g. ['cpu'] or ['cuda', 'cpu']. */
  devices: DeviceInfo['provider'][];
  cpuCores?: number;
  /** Only English will be transcribed. */
  englishOnly?: boolean;
}

export interface Recommendation {
  id: string;
  variant?: string;
  reason: string;
}

const GPU = new Set(['cuda', 'dml', 'coreml']);

export function recommendModel(facts: MachineFacts, catalog: Catalog = loadCatalog()): Recommendation {
  const cores = facts.cpuCores ?? os.availableParallelism();
  const gb = facts.memoryBytes / 1e9;
  const gpu = facts.devices.find((d) => GPU.has(d));
  const budget = facts.memoryBytes / 4;
  const fits = (id: string, variant: string) => {
    const e = whisperEntry(catalog, id);
    return e?.variants[variant] !== undefined && variantSize(e, variant).bytes <= budget;
  };
  const en = (base: string) => (facts.englishOnly && whisperEntry(catalog, `${base}.en`) ? `${base}.en` : base);

  if (gpu && fits('whisper-large-v3-turbo', 'fp16')) {
    return {
      id: 'whisper-large-v3-turbo',
      variant: 'fp16',
      reason: `${gpu.toUpperCase()} available and ${gb.toFixed(0)} GB RAM: the most accurate model, fast on a GPU`,
    };
  }
  const cpuChoices: [string, string][] = [
    [en('whisper-small'), cores >= 8 && gb >= 15 ? 'ok' : 'too slow'],
    [en('whisper-base'), gb >= 7.5 ? 'ok' : 'too big'],
    [en('whisper-tiny'), 'ok'],
  ];
  for (const [id, verdict] of cpuChoices) {
    if (verdict === 'ok' && fits(id, 'quantized')) {
      return {
        id,
        variant: 'quantized',
        reason: `CPU only (${cores} cores, ${gb.toFixed(0)} GB RAM): int8 weights keep it fast with little accuracy lost`,
      };
    }
  }
  const bundled = catalog.models.find(isBundled);
  return {
    id: bundled?.id ?? 'demo-en',
    reason: `only ${gb.toFixed(1)} GB RAM: the bundled demo model is the one that fits`,
  };
}

function whisperEntry(catalog: Catalog, id: string): WhisperCatalogEntry | undefined {
  const e = catalog.models.find((m) => m.id === id);
  return e && isWhisperEntry(e) ? e : undefined;
}

export interface Calibration {
  /** The ONNX file that ran (Whisper: the encoder; CTC: the whole model). */
  file: string;
  runs: number;
  /** Median milliseconds per run. */
  msPerRun: number;
  /** Seconds of audio one run covers. */
  audioSecondsPerRun: number;
  /** Audio seconds per wall second for this part of the model (higher is faster). */
  realtimeFactor: number;
  device: string;
}

/**
 * Runs the model's encoder on 30 s of silence-shaped input for about `seconds` and reports the median time. This is
 * the encoder only: Whisper's decoder adds time per token on top, so the figure is an upper bound on speed.
 */
export async function calibrate(
  dir: string,
  familyId: ModelFamily,
  options: { variant?: string; seconds?: number; threads?: number; signal?: AbortSignal } = {},
): Promise<Calibration> {
  const family = speechFamily(familyId);
  const variant = options.variant ?? 'quantized';
  const file = family?.probeFile([variant], variant)?.file;
  if (!family || !file) throw new Error(`no ${familyId} file to calibrate for variant '${variant}'`);
  const { session, device } = await createSession(`${dir}/${file}`, { device: 'cpu', threads: options.threads });
  try {
    const { feeds, audioSeconds } = syntheticFeeds(session, family.calibration);
    await session.run(feeds); // warm-up: first run pays for allocations
    const times: number[] = [];
    const budgetMs = (options.seconds ?? 2) * 1000;
    const started = performance.now();
    while (times.length < 3 || (performance.now() - started < budgetMs && times.length < 50)) {
      if (options.signal?.aborted) break;
      const t = performance.now();
      await session.run(feeds);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const msPerRun = times[Math.floor(times.length / 2)] ?? 0;
    return {
      file,
      runs: times.length,
      msPerRun,
      audioSecondsPerRun: audioSeconds,
      realtimeFactor: msPerRun > 0 ? audioSeconds / (msPerRun / 1000) : 0,
      device: device.label,
    };
  } finally {
    await session.release();
  }
}

/** Zero-valued inputs shaped like 30 s of audio: symbolic dimensions become 1 (batch) or the family's 30 s size. */
function syntheticFeeds(
  session: ort.InferenceSession,
  shape: SpeechFamily['calibration'],
): { feeds: Record<string, ort.Tensor>; audioSeconds: number } {
  const feeds: Record<string, ort.Tensor> = {};
  let audioSeconds = 30;
  for (const meta of session.inputMetadata) {
    if (!meta.isTensor) continue;
    const rank = meta.shape.length;
    const dims = meta.shape.map((d, i) => {
      if (typeof d === 'number' && d > 0) return d;
      return i === 0 ? 1 : shape.symbolicDim(rank);
    });
    audioSeconds = shape.audioSeconds?.(meta.shape) ?? audioSeconds;
    const size = dims.reduce((a, b) => a * b, 1);
    feeds[meta.name] =
      meta.type === 'float16'
        ? new ort.Tensor('float16', new Uint16Array(size), dims)
        : meta.type === 'int64'
          ? // Integer inputs are lengths (frames or samples): say the whole window is valid.
            new ort.Tensor('int64', new BigInt64Array(size).fill(BigInt(shape.lengthValue)), dims)
          : new ort.Tensor('float32', new Float32Array(size), dims);
  }
  return { feeds, audioSeconds };
}

/**
 * Execution providers that really load on this machine: CPU always, plus the first GPU provider that opens `modelFile`
 * (onnxruntime only reports what it was built with, not what the drivers allow, so we try).
 */
export async function detectDevices(modelFile: string): Promise<{ devices: DeviceInfo['provider'][]; note: string }> {
  try {
    const { session, device } = await createSession(modelFile, {
      device: 'gpu',
      threads: 1,
      options: { logSeverityLevel: 4, graphOptimizationLevel: 'disabled' },
    });
    await session.release();
    return { devices: [device.provider, 'cpu'], note: `${device.label} loads` };
  } catch (e) {
    if (!(e instanceof SessionCreateError)) throw e;
    return { devices: ['cpu'], note: `no GPU provider loads (${e.attempts.map((a) => a.provider).join(', ')} tried)` };
  }
}

/**
 * Encoder seconds per 30 s window expected for `target`, scaled from a measured Whisper model by the encoders' FLOPs
 * (both from the catalog). Undefined when either figure is missing: the measured model then stands alone.
 */
export function scaleEncoderTime(
  catalog: Catalog,
  measuredId: string,
  measured: Calibration,
  targetId: string,
): number | undefined {
  const from = whisperEntry(catalog, measuredId)?.encoderGflopPer30s;
  const to = whisperEntry(catalog, targetId)?.encoderGflopPer30s;
  if (!from || !to || measured.audioSecondsPerRun !== 30) return undefined;
  return (measured.msPerRun / 1000) * (to / from);
}
