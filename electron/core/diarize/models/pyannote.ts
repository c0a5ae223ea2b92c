/**
 * pyannote segmentation-3.0 run with onnxruntime: a window of waveform in, per-frame scores of the 7 "powerset"
 * classes out (0 nobody; 1, 2, 3 one local speaker alone; 4 = 1+2, 5 = 1+3, 6 = 2+3 overlapping). The post-processing
 * is transformers.js' `post_process_speaker_diarization` (PyAnnoteFeatureExtractor), reproduced exactly: per frame the
 * most likely class after a softmax, runs of one class become segments, frame → seconds by the config's step/offset.
 */
import * as ort from 'onnxruntime-node';
import { EarshotError } from '../../errors.ts';
import { openDiarizationModel, type PyannoteConfig } from './folder.ts';

export const POWERSET_CLASSES = 7;
/** Local speakers (1..3) active in each powerset class. */
export const POWERSET_SPEAKERS: number[][] = [[], [1], [2], [3], [1, 2], [1, 3], [2, 3]];

export interface FrameSegment {
  /** Powerset class. */
  id: number;
  /** Seconds from the window's start. */
  start: number;
  end: number;
  /** Mean probability of the class over the segment's frames. */
  confidence: number;
}

export interface SessionOptions {
  threads?: number;
  variant?: string;
}

export class PyannoteSegmenter {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly config: PyannoteConfig,
  ) {}

  static async load(dir: string, options: SessionOptions = {}): Promise<PyannoteSegmenter> {
    const { session, check } = await openDiarizationModel(dir, 'pyannote', options);
    return new PyannoteSegmenter(session, check.pyannote!);
  }

  /** Scores [frames × 7] (log-probabilities for the public export) of one window of 16 kHz samples. */
  async scores(samples: Float32Array): Promise<{ data: Float32Array; frames: number }> {
    const input = new ort.Tensor('float32', samples, [1, 1, samples.length]);
    const out = await this.session.run({ [this.session.inputNames[0]]: input });
    const t = out[this.session.outputNames[0]];
    const [, frames, classes] = t.dims as number[];
    if (classes !== POWERSET_CLASSES) {
      throw new EarshotError('MODEL_INVALID', `the segmentation model gives ${classes} classes per frame, not 7`);
    }
    const data = new Float32Array(t.data as Float32Array);
    t.dispose?.();
    return { data, frames };
  }

  /** Seconds per output frame for a window of `samples` (transformers.js' ratio). */
  secondsPerFrame(samples: number): number {
    const { offset, step, samplingRate } = this.config;
    return samples / ((samples - offset) / step) / samplingRate;
  }

  /** transformers.js' post_process_speaker_diarization for one window's scores. */
  postProcess(scores: { data: Float32Array; frames: number }, samples: number): FrameSegment[] {
    const ratio = this.secondsPerFrame(samples);
    const out: { id: number; start: number; end: number; score: number }[] = [];
    for (let i = 0; i < scores.frames; i++) {
      const [score, id] = argmaxSoftmax(scores.data, i * POWERSET_CLASSES);
      const last = out[out.length - 1];
      if (last && last.id === id) {
        last.end = i + 1;
        last.score += score;
      } else out.push({ id, start: i, end: i + 1, score });
    }
    return out.map(({ id, start, end, score }) => ({
      id,
      start: start * ratio,
      end: end * ratio,
      confidence: score / (end - start),
    }));
  }

  /** The most likely class of every frame. */
  classes(scores: { data: Float32Array; frames: number }): Uint8Array {
    const out = new Uint8Array(scores.frames);
    for (let i = 0; i < scores.frames; i++) out[i] = argmaxSoftmax(scores.data, i * POWERSET_CLASSES)[1];
    return out;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/**
 * [probability, class] of the frame's most likely class, computed as transformers.js does (softmax with the max
 * subtracted, in float64, first maximum wins), so ties and rounding resolve the same way.
 */
function argmaxSoftmax(data: Float32Array, at: number): [number, number] {
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < POWERSET_CLASSES; c++) max = Math.max(max, data[at + c]);
  const exps = new Array<number>(POWERSET_CLASSES);
  let sum = 0;
  for (let c = 0; c < POWERSET_CLASSES; c++) {
    exps[c] = Math.exp(data[at + c] - max);
    sum += exps[c];
  }
  let best = 0;
  let bestP = exps[0] / sum;
  for (let c = 1; c < POWERSET_CLASSES; c++) {
    const p = exps[c] / sum;
    if (p > bestP) {
      bestP = p;
      best = c;
    }
  }
  return [bestP, best];
}
