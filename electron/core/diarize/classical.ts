/**
 * The classical diarizer: no weights, always available, approximate.
 * 1. As audio streams by: MFCCs per 10 ms frame, summed into 0.1 s cells (the audio itself is not kept).
 * 2. Speech regions from Silero VAD (the transcriber's, else our own).
 * 3. Speaker changes inside each region: peaks of the divergence between the Gaussians of the 1.5 s before and after
 *    each point.
 * 4. One Gaussian per turn (the stretch between changes); average-linkage clustering of turns by divergence, to the
 *    known number of speakers or until the nearest groups are farther apart than a threshold.
 * 5. Re-segmentation: each 0.5 s of speech goes to the speaker whose Gaussian explains it best, smoothed, which fixes
 *    changes the detector missed; neighbouring turns of one speaker join.
 */
import { throwIfAborted } from '../errors.ts';
import { CELL_SECONDS, FeatureCells, STATS_SIZE } from './cells.ts';
import { cutTree, dendrogram, type Merge } from './cluster.ts';
import { divergence, type Gaussian, gaussianOf, normaliser } from './gaussian.ts';
import { HOP, MfccStream, N_CEPS } from './mfcc.ts';
import { SpeechTracker } from './speech.ts';
import {
  type DiarizationResult,
  type DiarizeOptions,
  type Diarizer,
  type SpeakerTurn,
  type SpeechRegion,
  speakerLabel,
} from './types.ts';

export interface ClassicalSettings {
  /** Cells on each side of a candidate change point. */
  changeWindow: number;
  /** Divergence a change peak must reach. */
  changeThreshold: number;
  /** Average-linkage divergence under which turns are one speaker (when the count is not given). */
  clusterThreshold: number;
  /** Cells per re-segmentation block (0 turns re-segmentation off). */
  resegmentBlock: number;
  /** Turns clustered directly at most; the rest join their nearest cluster (bounds memory at n² floats). */
  maxClusterItems: number;
  /** How the number of speakers is estimated when not given. */
  estimate: 'bic' | 'threshold';
  /** Weight of the BIC's parameter cost. */
  bicPenalty: number;
  /**
   * Frames of evidence the speaker count is judged on at most (default: 10 minutes). The BIC's likelihood gain grows
   * with the length of the recording but its penalty only with the logarithm, so on long files it splits speakers
   * by what they talk about; beyond this much speech the likelihood is scaled down to it.
   */
  evidenceFrames: number;
}

export const CLASSICAL_DEFAULTS: ClassicalSettings = {
  changeWindow: 15,
  changeThreshold: 0.6,
  clusterThreshold: 0.9,
  resegmentBlock: 5,
  maxClusterItems: 2000,
  estimate: 'bic',
  bicPenalty: 4,
  evidenceFrames: 600 * (16000 / HOP),
};

const RATE = 16000;
/** When estimating, every speaker must hold this much of the speech (and at least 2 s of frames). */
const MIN_SPEAKER_SHARE = 0.01;
const MIN_SPEAKER_FRAMES = 2 * (16000 / HOP);
/** A cell needs this many audible frames (of 5) to count as voiced. */
const MIN_VOICED_FRAMES = 2;

interface Piece {
  /** Cells [from, to). */
  from: number;
  to: number;
  stats: Float64Array;
  gaussian?: Gaussian;
  speaker: number;
}

export class ClassicalDiarizer implements Diarizer {
  private readonly mfcc = new MfccStream();
  private readonly cells = new FeatureCells();
  private readonly speech: SpeechTracker;
  private samples = 0;
  private readonly settings: ClassicalSettings;

  constructor(
    private readonly options: DiarizeOptions = {},
    settings: Partial<ClassicalSettings> = {},
  ) {
    this.speech = new SpeechTracker(options.signal);
    this.settings = { ...CLASSICAL_DEFAULTS, ...settings };
  }

  async push(chunk: Float32Array): Promise<void> {
    throwIfAborted(this.options.signal);
    this.mfcc.push(chunk, (i, energy, ceps) => this.cells.addFrame(i, energy, ceps));
    this.samples += chunk.length;
    this.cells.extendTo(this.samples / RATE);
    await this.speech.push(chunk);
  }

  addSpeech(span: { from: number; to: number; regions: SpeechRegion[] }): void {
    this.speech.add(span);
  }

  async dispose(): Promise<void> {}

  async finish(): Promise<DiarizationResult> {
    const { signal, onProgress } = this.options;
    throwIfAborted(signal);
    const regions = await this.speech.finish();
    throwIfAborted(signal);
    onProgress?.(0.1);
    const duration = this.samples / RATE;
    const base = { method: 'classical' as const, approximate: true, duration };
    const spans = regions.map((r) => this.voicedSpan(r)).filter((s): s is [number, number] => s !== null);
    if (spans.length === 0) return { ...base, turns: [], speakers: [], note: 'No speech was found' };

    const all = new Float64Array(STATS_SIZE);
    for (const [a, b] of spans) this.cells.accumulate(a, b, all);
    const norm = normaliser(all);
    const gauss = (from: number, to: number) => {
      const acc = new Float64Array(STATS_SIZE);
      this.cells.accumulate(from, to, acc);
      return gaussianOf(acc, norm);
    };

    const pieces: Piece[] = [];
    for (const [a, b] of spans) {
      let start = a;
      for (const change of this.changePoints(a, b, gauss)) {
        pieces.push(this.piece(start, change));
        start = change;
      }
      pieces.push(this.piece(start, b));
    }
    throwIfAborted(signal);
    onProgress?.(0.4);
    for (const p of pieces) p.gaussian = gaussianOf(p.stats, norm);

    const speakers = this.cluster(pieces, norm);
    onProgress?.(0.8);
    if (this.settings.resegmentBlock > 0 && speakers > 1) this.resegment(pieces, speakers, gauss, norm);
    onProgress?.(1);
    return { ...base, ...toTurns(pieces), ...this.countNote(speakers) };
  }

  /** The region trimmed to its first and last voiced cells, or null if it holds none. */
  private voicedSpan(r: SpeechRegion): [number, number] | null {
    let a = Math.floor(r.start / CELL_SECONDS);
    let b = Math.min(this.cells.length, Math.ceil(r.end / CELL_SECONDS));
    while (a < b && this.cells.count(a) < MIN_VOICED_FRAMES) a++;
    while (b > a && this.cells.count(b - 1) < MIN_VOICED_FRAMES) b--;
    return b - a >= 2 ? [a, b] : null;
  }

  private changePoints(a: number, b: number, gauss: (from: number, to: number) => Gaussian): number[] {
    const w = this.settings.changeWindow;
    if (b - a < 2 * w) return [];
    const score = new Float64Array(b - a);
    for (let t = a + w; t <= b - w; t++) score[t - a] = divergence(gauss(t - w, t), gauss(t, t + w));
    const out: number[] = [];
    for (let t = a + w; t <= b - w; t++) {
      const s = score[t - a];
      if (s < this.settings.changeThreshold) continue;
      let peak = true;
      for (let u = Math.max(a + w, t - w); u <= Math.min(b - w, t + w) && peak; u++) {
        if (score[u - a] > s || (score[u - a] === s && u < t)) peak = false;
      }
      if (peak) out.push(t);
    }
    return out;
  }

  private piece(from: number, to: number): Piece {
    const stats = new Float64Array(STATS_SIZE);
    this.cells.accumulate(from, to, stats);
    return { from, to, stats, speaker: 0 };
  }

  /** Labels every piece; returns the number of speakers. */
  private cluster(pieces: Piece[], norm: ReturnType<typeof normaliser>): number {
    const { numSpeakers, maxSpeakers = 8, signal } = this.options;
    // The longest pieces are clustered; the rest (if there are too many) join the nearest cluster afterwards.
    const order = pieces.map((_, i) => i).sort((x, y) => pieces[y].stats[0] - pieces[x].stats[0]);
    const chosen = order.slice(0, this.settings.maxClusterItems);
    const clustered = chosen.map((i) => pieces[i]);
    const g = clustered.map((p) => p.gaussian!);
    const merges = dendrogram(
      chosen.length,
      (i, j) => divergence(g[i], g[j]),
      clustered.map((p) => p.stats[0]),
      signal,
    );
    // A given count is honoured unless the audio plainly holds fewer voices (a far more lenient criterion than the
    // estimate's, so two similar voices asked for are still split).
    const k =
      numSpeakers === undefined
        ? this.estimateCount(clustered, merges, maxSpeakers, this.settings.bicPenalty)
        : Math.min(numSpeakers, this.estimateCount(clustered, merges, numSpeakers, this.settings.bicPenalty / 4));
    const labels = cutTree(chosen.length, merges, k);
    clustered.forEach((p, i) => {
      p.speaker = labels[i];
    });
    const count =
      numSpeakers === undefined ? this.absorbStrays(clustered, norm) : labels.length ? Math.max(...labels) + 1 : 0;
    if (chosen.length < pieces.length) {
      const models = speakerModels(clustered, count).map((acc) => gaussianOf(acc, norm));
      for (const i of order.slice(chosen.length)) pieces[i].speaker = nearest(pieces[i].gaussian!, models);
    }
    return count;
  }

  /**
   * A "speaker" holding almost none of the speech (a stray group of odd turns, not a person) joins the speaker it is
   * closest to. Returns the number of speakers left, relabelled 0.. in their existing order.
   */
  private absorbStrays(pieces: Piece[], norm: ReturnType<typeof normaliser>): number {
    const count = pieces.length ? Math.max(...pieces.map((p) => p.speaker)) + 1 : 0;
    const totals = speakerModels(pieces, count);
    const frames = totals.reduce((n, acc) => n + acc[0], 0);
    const keep = totals.map((acc) => acc[0] >= Math.max(MIN_SPEAKER_FRAMES, MIN_SPEAKER_SHARE * frames));
    if (keep.every(Boolean) || !keep.some(Boolean)) return count;
    const kept = totals.flatMap((acc, k) => (keep[k] ? [{ k, model: gaussianOf(acc, norm) }] : []));
    const renumber = new Map(kept.map(({ k }, i) => [k, i]));
    for (const p of pieces) {
      p.speaker = keep[p.speaker]
        ? renumber.get(p.speaker)!
        : nearest(
            p.gaussian!,
            kept.map((x) => x.model),
          );
    }
    return kept.length;
  }

  /**
   * The number of speakers by the Bayesian information criterion over the dendrogram's cuts: each cluster is one
   * diagonal Gaussian; a further speaker must raise the likelihood by more than its parameters cost.
   */
  private estimateCount(pieces: Piece[], merges: Merge[], maxSpeakers: number, bicPenalty: number): number {
    if (this.options.threshold !== undefined || this.settings.estimate === 'threshold') {
      const threshold = this.options.threshold ?? this.settings.clusterThreshold;
      let below = 0;
      while (below < merges.length && merges[below].height < threshold) below++;
      return Math.min(maxSpeakers, pieces.length - below);
    }
    const frames = pieces.reduce((n, p) => n + p.stats[0], 0);
    const evidence = Math.min(frames, this.settings.evidenceFrames);
    const penalty = bicPenalty * 0.5 * (2 * N_CEPS) * Math.log(Math.max(2, evidence));
    let best = 1;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let k = 1; k <= Math.min(maxSpeakers, pieces.length); k++) {
      const labels = cutTree(pieces.length, merges, k);
      const models = speakerModels(
        pieces.map((p, i) => ({ ...p, speaker: labels[i] })),
        k,
      );
      let likelihood = 0;
      for (const acc of models) {
        const n = acc[0];
        if (n === 0) continue;
        for (let j = 0; j < N_CEPS; j++) {
          const m = acc[1 + j] / n;
          const v = Math.max(1e-6, acc[1 + N_CEPS + j] / n - m * m);
          likelihood -= 0.5 * n * Math.log(v);
        }
      }
      const score = (likelihood * evidence) / Math.max(1, frames) - penalty * k;
      if (score > bestScore) {
        bestScore = score;
        best = k;
      }
    }
    return best;
  }

  /**
   * Re-assigns each block of cells to the speaker model (one Gaussian per cluster) it is closest to, then smooths
   * with a majority over neighbouring blocks, splitting pieces where the speaker changes.
   */
  private resegment(
    pieces: Piece[],
    speakers: number,
    gauss: (from: number, to: number) => Gaussian,
    norm: ReturnType<typeof normaliser>,
  ): void {
    const models = speakerModels(pieces, speakers).map((acc) => gaussianOf(acc, norm));
    const block = this.settings.resegmentBlock;
    const out: Piece[] = [];
    for (const p of pieces) {
      const labels: number[] = [];
      for (let c = p.from; c < p.to; c += block) labels.push(nearest(gauss(c, Math.min(p.to, c + block)), models));
      // Smooth: a block takes the majority label of itself and its two neighbours on each side.
      const smooth = labels.map((_, i) => majority(labels.slice(Math.max(0, i - 2), i + 3), labels[i]));
      let start = p.from;
      for (let i = 1; i <= smooth.length; i++) {
        if (i === smooth.length || smooth[i] !== smooth[i - 1]) {
          const end = Math.min(p.to, p.from + i * block);
          out.push({ ...this.piece(start, end), speaker: smooth[i - 1] });
          start = end;
        }
      }
    }
    pieces.splice(0, pieces.length, ...out);
  }

  private countNote(found: number): { note?: string } {
    const asked = this.options.numSpeakers;
    if (asked !== undefined && found < asked) {
      return { note: `${asked} speakers were asked for, but only ${found} could be told apart` };
    }
    return {};
  }
}

/** Summed statistics of each speaker's pieces. */
function speakerModels(pieces: Piece[], speakers: number): Float64Array[] {
  const acc = Array.from({ length: speakers }, () => new Float64Array(STATS_SIZE));
  for (const p of pieces) for (let j = 0; j < STATS_SIZE; j++) acc[p.speaker][j] += p.stats[j];
  return acc;
}

function nearest(g: Gaussian, models: Gaussian[]): number {
  let best = 0;
  let bestD = Number.POSITIVE_INFINITY;
  models.forEach((m, k) => {
    const d = divergence(g, m);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  });
  return best;
}

function majority(labels: number[], fallback: number): number {
  const counts = new Map<number, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  let best = fallback;
  for (const [l, c] of counts) if (c > (counts.get(best) ?? 0)) best = l;
  return best;
}

/**
 * Pieces → turns: labels renumbered in order of first appearance, neighbours of one speaker joined across pauses
 * shorter than a second (the pause belongs to neither).
 */
function toTurns(pieces: Piece[]): { turns: SpeakerTurn[]; speakers: string[] } {
  const sorted = pieces.filter((p) => p.to > p.from).sort((a, b) => a.from - b.from);
  const names = new Map<number, string>();
  const turns: SpeakerTurn[] = [];
  for (const p of sorted) {
    if (!names.has(p.speaker)) names.set(p.speaker, speakerLabel(names.size));
    const speaker = names.get(p.speaker)!;
    const start = round(p.from * CELL_SECONDS);
    const end = round(p.to * CELL_SECONDS);
    const last = turns[turns.length - 1];
    if (last && last.speaker === speaker && start - last.end < 1) last.end = end;
    else turns.push({ start, end, speaker });
  }
  return { turns, speakers: [...names.values()] };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
