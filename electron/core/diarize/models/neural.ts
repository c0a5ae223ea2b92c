/**
 * The neural diarizer: pyannote segmentation-3.0 finds up to three local speakers in each 10 s window (and where
 * nobody speaks), WeSpeaker gives one embedding per local speaker (from the frames where it speaks alone), and
 * average-linkage clustering of the embeddings by cosine distance links local speakers across windows into the
 * recording's speakers. Windows are processed as the audio streams by and then dropped: what stays is one class per
 * frame (about 60 bytes a second) and up to three embeddings per window, so a 2-hour file costs a few MB.
 * The model finds speech itself, so the transcriber's VAD regions are not needed here.
 */
import { throwIfAborted } from '../../errors.ts';
import { cutTree, dendrogram } from '../cluster.ts';
import {
  type DiarizationResult,
  type DiarizeOptions,
  type Diarizer,
  type SpeakerTurn,
  type SpeechRegion,
  speakerLabel,
} from '../types.ts';
import { POWERSET_SPEAKERS, PyannoteSegmenter } from './pyannote.ts';
import { WespeakerEmbedder } from './wespeaker.ts';

const RATE = 16000;
const WINDOW = 10 * RATE;
/** Local speakers with less solo speech than this in a window get no embedding; they take a neighbour's label. */
const MIN_EMBED_SECONDS = 0.4;
/** Cosine distance (average linkage) under which two local speakers are the same person. */
export const NEURAL_THRESHOLD = 0.7;

export interface NeuralModels {
  /** Folder of a pyannote segmentation model. */
  segmentation: string;
  /** Folder of a WeSpeaker embedding model. */
  embedding: string;
}

interface Window {
  /** Seconds from the start of the recording. */
  start: number;
  /** Seconds per frame. */
  ratio: number;
  /** Most likely powerset class of each frame (frames past the audio's end are dropped). */
  classes: Uint8Array;
  /** Embedding of local speaker 1, 2, 3 (undefined: too little solo speech, or silent). */
  embeddings: (Float32Array | undefined)[];
}

export async function loadNeuralDiarizer(
  models: NeuralModels,
  options: DiarizeOptions & { threads?: number } = {},
): Promise<NeuralDiarizer> {
  const segmenter = await PyannoteSegmenter.load(models.segmentation, { threads: options.threads });
  try {
    const embedder = await WespeakerEmbedder.load(models.embedding, { threads: options.threads });
    return new NeuralDiarizer(segmenter, embedder, options);
  } catch (e) {
    await segmenter.dispose();
    throw e;
  }
}

export class NeuralDiarizer implements Diarizer {
  private readonly buffer = new Float32Array(WINDOW);
  private filled = 0;
  private samples = 0;
  /** Samples in the windows processed so far. */
  private consumed = 0;
  private disposed = false;
  private readonly windows: Window[] = [];

  constructor(
    private readonly segmenter: PyannoteSegmenter,
    private readonly embedder: WespeakerEmbedder,
    private readonly options: DiarizeOptions = {},
  ) {}

  async push(chunk: Float32Array): Promise<void> {
    throwIfAborted(this.options.signal);
    let at = 0;
    while (at < chunk.length) {
      const n = Math.min(chunk.length - at, WINDOW - this.filled);
      this.buffer.set(chunk.subarray(at, at + n), this.filled);
      this.filled += n;
      at += n;
      if (this.filled === WINDOW) await this.window(WINDOW);
    }
    this.samples += chunk.length;
  }

  addSpeech(_span: { from: number; to: number; regions: SpeechRegion[] }): void {}

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.segmenter.dispose();
    await this.embedder.dispose();
  }

  async finish(): Promise<DiarizationResult> {
    const { signal, onProgress, numSpeakers, maxSpeakers = 8, threshold = NEURAL_THRESHOLD } = this.options;
    try {
      throwIfAborted(signal);
      // The last, shorter window is padded with silence to the length the model was trained on.
      if (this.filled > 0) {
        this.buffer.fill(0, this.filled);
        await this.window(this.filled);
      }
      onProgress?.(0.5);
      const items: { window: number; local: number; vector: Float32Array; weight: number }[] = [];
      this.windows.forEach((w, wi) => {
        w.embeddings.forEach((vector, local) => {
          if (vector) items.push({ window: wi, local, vector, weight: soloSeconds(w, local + 1) });
        });
      });
      const duration = this.samples / RATE;
      const base = { method: 'neural' as const, approximate: false, duration };
      if (items.length === 0) return { ...base, turns: [], speakers: [], note: 'No speech was found' };
      const merges = dendrogram(
        items.length,
        (i, j) => cosineDistance(items[i].vector, items[j].vector),
        items.map((it) => it.weight),
        signal,
      );
      let k = numSpeakers;
      if (k === undefined) {
        let below = 0;
        while (below < merges.length && merges[below].height < threshold) below++;
        k = Math.min(maxSpeakers, items.length - below);
      }
      const labels = cutTree(items.length, merges, k);
      const global = new Map<string, number>();
      items.forEach((it, i) => {
        global.set(`${it.window}:${it.local}`, labels[i]);
      });
      onProgress?.(0.9);
      const turns = this.turns(global);
      onProgress?.(1);
      const found = new Set(turns.map((t) => t.speaker)).size;
      const note =
        numSpeakers !== undefined && found < numSpeakers
          ? `${numSpeakers} speakers were asked for, but only ${found} could be told apart`
          : undefined;
      return { ...base, turns, speakers: [...new Set(turns.map((t) => t.speaker))], ...(note ? { note } : {}) };
    } finally {
      await this.dispose();
    }
  }

  /** Segments and embeds the buffered window ([0, real) holds audio, the rest silence), then empties the buffer. */
  private async window(real: number): Promise<void> {
    throwIfAborted(this.options.signal);
    const audio = this.buffer;
    const scores = await this.segmenter.scores(audio);
    const ratio = this.segmenter.secondsPerFrame(audio.length);
    const all = this.segmenter.classes(scores);
    const keep = Math.min(all.length, Math.ceil(real / RATE / ratio));
    const classes = all.slice(0, keep);
    const embeddings: (Float32Array | undefined)[] = [];
    for (let speaker = 1; speaker <= 3; speaker++) {
      const solo = soloAudio(audio, classes, speaker, ratio);
      embeddings.push(solo.length >= MIN_EMBED_SECONDS * RATE ? await this.embedder.embed(solo) : undefined);
    }
    this.windows.push({ start: this.consumed / RATE, ratio, classes, embeddings });
    this.consumed += real;
    this.filled = 0;
  }

  /**
   * One speaker per frame on the recording's timeline: a local speaker's global label; in overlaps, whoever spoke in
   * the previous frame (else the first); frames of local speakers without an embedding take the nearest labelled
   * frame's speaker. Runs of one speaker are turns.
   */
  private turns(global: Map<string, number>): SpeakerTurn[] {
    const frames: { start: number; end: number; speaker: number }[] = [];
    this.windows.forEach((w, wi) => {
      let previous = -1;
      for (let i = 0; i < w.classes.length; i++) {
        const locals = POWERSET_SPEAKERS[w.classes[i]];
        if (locals.length === 0) {
          previous = -1;
          continue;
        }
        const labelled = locals.map((l) => global.get(`${wi}:${l - 1}`) ?? -1);
        const speaker = labelled.includes(previous) ? previous : (labelled.find((s) => s >= 0) ?? -1);
        frames.push({ start: w.start + i * w.ratio, end: w.start + (i + 1) * w.ratio, speaker });
        previous = speaker;
      }
    });
    fillUnlabelled(frames);
    const names = new Map<number, string>();
    const turns: SpeakerTurn[] = [];
    for (const f of frames) {
      if (f.speaker < 0) continue;
      if (!names.has(f.speaker)) names.set(f.speaker, speakerLabel(names.size));
      const speaker = names.get(f.speaker)!;
      const last = turns[turns.length - 1];
      if (last && last.speaker === speaker && f.start - last.end < 0.05) last.end = round(f.end);
      else turns.push({ start: round(f.start), end: round(f.end), speaker });
    }
    return turns;
  }
}

/** Frames with speaker -1 take the speaker of the nearest frame (in time) that has one. */
function fillUnlabelled(frames: { start: number; speaker: number }[]): void {
  let last = -1;
  const fromLeft = frames.map((f, i) => {
    if (f.speaker >= 0) last = i;
    return last;
  });
  let next = -1;
  for (let i = frames.length - 1; i >= 0; i--) {
    if (frames[i].speaker >= 0) {
      next = i;
      continue;
    }
    const left = fromLeft[i];
    const pick =
      left < 0
        ? next
        : next < 0
          ? left
          : frames[i].start - frames[left].start <= frames[next].start - frames[i].start
            ? left
            : next;
    if (pick >= 0) frames[i].speaker = frames[pick].speaker;
  }
}

/** The samples of the frames where `speaker` (1..3) speaks alone, back to back. */
function soloAudio(audio: Float32Array, classes: Uint8Array, speaker: number, ratio: number): Float32Array {
  const pieces: [number, number][] = [];
  let total = 0;
  for (let i = 0; i < classes.length; i++) {
    if (classes[i] !== speaker) continue;
    const a = Math.round(i * ratio * RATE);
    const b = Math.min(audio.length, Math.round((i + 1) * ratio * RATE));
    const last = pieces[pieces.length - 1];
    if (last && last[1] === a) last[1] = b;
    else pieces.push([a, b]);
    total += b - a;
  }
  const out = new Float32Array(total);
  let at = 0;
  for (const [a, b] of pieces) {
    out.set(audio.subarray(a, b), at);
    at += b - a;
  }
  return out;
}

function soloSeconds(w: Window, speaker: number): number {
  let n = 0;
  for (const c of w.classes) if (c === speaker) n++;
  return n * w.ratio;
}

export function cosineDistance(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return 1 - dot / Math.max(1e-12, Math.sqrt(na * nb));
}

const round = (x: number) => Math.round(x * 1000) / 1000;
