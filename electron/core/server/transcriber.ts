/**
 * The server's one path from input to transcript: download (for URLs), decode, check the length, run the shared
 * model through the bounded queue, and shape the result. Every face of the API (/v1/listen, the cloud aliases,
 * callback jobs) calls `transcribe`; only the response shaping differs.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import type { Segment, TranscriptResult, Word } from '../asr/types.ts';
import { type NeuralModels, speakerUtterances } from '../diarize/index.ts';
import { EarshotError } from '../errors.ts';
import type { ServerConfig } from './config.ts';
import type { InferenceQueue } from './inference-queue.ts';
import type { ServerMetrics } from './metrics.ts';
import { type ModelRunner, ModelThreads } from './model-threads.ts';
import { type Checkpointing, runFromCheckpoint } from './resumable-run.ts';
import type { ServerServices } from './services.ts';
import { assertReachableUrl, parseHttpUrl } from './url-policy.ts';

export interface ListenOptions {
  language: string;
  punctuate: boolean;
  diarize: boolean;
  num_speakers?: number;
  timestamps: boolean;
  callback_url?: string;
}

export type AudioInput = { kind: 'file'; path: string; bytes: number } | { kind: 'url'; url: string };

export interface Transcript {
  result: TranscriptResult;
  duration: number;
  fileSize: number;
  processingSeconds: number;
}

export interface ListenResponse {
  request_id: string;
  text: string;
  confidence: number;
  duration: number;
  language: string;
  words?: { word: string; start: number; end: number; confidence: number; speaker?: string }[];
  /** With diarize: who said what, consecutive segments of one speaker joined (the self-hosted API's shape). */
  speakers?: { speaker: string; text: string; start: number; end: number }[];
}

/** The model the server runs: its catalog id, and the threads that hold it (or, on a cluster API node, its workers). */
export interface ServedModel {
  id: string;
  model: ModelRunner;
}

/** Runs a request elsewhere (cluster mode: on a worker node through the queue) and resolves with its transcript. */
export type RemoteTranscribe = (
  input: Extract<AudioInput, { kind: 'file' }>,
  options: ListenOptions,
  signal: AbortSignal,
) => Promise<Transcript>;

export type { Checkpointing, RunCheckpoint } from './resumable-run.ts';

export type ModelState =
  | { status: 'loading' }
  | { status: 'ready'; loaded: ServedModel }
  | { status: 'failed'; reason: string };

/** Languages that mean "detect it" rather than a fixed code. */
const AUTO_LANGUAGES = new Set(['auto', 'multi', 'multi-eu', 'multi-asian', 'multi-indic']);

/**
 * The language to give the model: undefined to detect it, else the tag itself when the model knows it (`yue`), or
 * its primary subtag (`en-US` → `en`). Null when the model speaks neither.
 */
export function modelLanguage(requested: string, known: readonly string[]): string | undefined | null {
  const tag = requested.toLowerCase();
  if (AUTO_LANGUAGES.has(tag)) return undefined;
  if (known.length === 0 || known.includes(tag)) return tag;
  const primary = tag.split('-')[0];
  return known.includes(primary) ? primary : null;
}

export class Transcriber {
  state: ModelState = { status: 'loading' };
  /** The diarization models, resolved once when the model loads (undefined: the classical method). */
  private diarization?: NeuralModels;
  /** Set in cluster mode: requests go to the queue instead of this node's model. */
  remote?: RemoteTranscribe;
  /** Set on a cluster API node (it holds no model): a live stream's windows run on a worker node through the queue. */
  remoteSamples?: (samples: Float32Array, options: ListenOptions, signal: AbortSignal) => Promise<TranscriptResult>;

  constructor(
    private readonly config: ServerConfig,
    private readonly services: ServerServices,
    readonly queue: InferenceQueue,
    private readonly metrics: ServerMetrics,
  ) {}

  /** Loads the model in the background; health reports 503 until it is ready. */
  async loadModel(): Promise<void> {
    try {
      const { id, dir } = await this.services.models.resolve(this.config.model);
      // One thread per worker, each with the model loaded: inference never runs on the HTTP event loop. A host that
      // holds the model already (the desktop) runs it in its own worker instead of loading another copy.
      const load = { modelDir: dir, device: this.config.device ?? 'auto', threads: this.config.threads };
      const start = this.services.models.runner ?? ModelThreads.start;
      const model = await start(load, this.config.workers);
      this.diarization = await this.services.models.diarizationModels?.(this.config.diarizeWith ?? 'auto');
      this.state = { status: 'ready', loaded: { id, model } };
    } catch (e) {
      this.state = { status: 'failed', reason: e instanceof Error ? e.message : String(e) };
      throw e;
    }
  }

  readyModel(): ServedModel {
    if (this.state.status === 'ready') return this.state.loaded;
    const reason = this.state.status === 'loading' ? 'The model is still loading' : 'The model failed to load';
    throw new EarshotError('SERVICE_UNAVAILABLE', reason, { retry_after: this.state.status === 'loading' ? 5 : 60 });
  }

  /** Validates options that do not need the audio; throws 400s before any upload is read or work is queued. */
  async checkOptions(options: ListenOptions): Promise<void> {
    const { model } = this.readyModel();
    if (modelLanguage(options.language, model.languages) === null) {
      throw new EarshotError('INVALID_PARAMETER', `Language '${options.language}' is not supported by this model`, {
        parameter: 'language',
        supported_languages: model.languages,
      });
    }
    if (options.callback_url) {
      const url = parseHttpUrl(options.callback_url, 'callback_url');
      await assertReachableUrl(url, 'callback_url', this.config.allowPrivateUrls);
    }
  }

  /** Checks a URL input's scheme and target before it is queued. */
  async checkUrl(value: string): Promise<void> {
    const url = parseHttpUrl(value, 'url');
    await assertReachableUrl(url, 'url', this.config.allowPrivateUrls);
  }

  async transcribe(
    input: AudioInput,
    options: ListenOptions,
    signal: AbortSignal,
    onAudio?: (seconds: number) => Promise<void> | void,
    /** Already admitted (a callback job): waits for a worker even when the queue has filled up since. */
    admitted = false,
  ): Promise<Transcript> {
    const remote = this.remote;
    if (!remote) return this.transcribeHere(input, options, signal, onAudio, admitted);
    // The worker that runs it decodes and charges it; the URL is fetched here, under this node's URL policy.
    const file = await this.fetchInput(input, signal);
    try {
      return await remote(file, options, signal);
    } finally {
      if (input.kind === 'url') await fs.rm(file.path, { force: true });
    }
  }

  /** A URL input downloaded to a temp file (the caller removes it); a file input as it is. */
  async fetchInput(input: AudioInput, signal: AbortSignal): Promise<Extract<AudioInput, { kind: 'file' }>> {
    if (input.kind === 'file') return input;
    return { kind: 'file', ...(await this.download(input.url, signal)) };
  }

  /**
   * The transcription on this node's model (cluster workers call it for queued jobs, with `checkpoint`: the
   * segments an earlier run of the job finished, and where to save this run's as they finish).
   */
  async transcribeHere(
    input: AudioInput,
    options: ListenOptions,
    signal: AbortSignal,
    onAudio?: (seconds: number) => Promise<void> | void,
    admitted = false,
    checkpoint?: Checkpointing,
  ): Promise<Transcript> {
    const started = performance.now();
    if (!admitted && this.queue.full) throw this.queue.unavailable();
    // A URL is downloaded before a worker is taken: a slow origin must only ever delay its own request.
    const file = input.kind === 'url' ? await this.download(input.url, signal) : input;
    try {
      return await this.queue.run(
        async () => {
          const audio = await this.services.audio.decode(file.path, signal);
          if (audio.duration > this.config.maxAudioSeconds) {
            throw new EarshotError(
              'AUDIO_TOO_LONG',
              `Audio is ${Math.round(audio.duration)} s long; the maximum is ${this.config.maxAudioSeconds} s`,
              { max_duration_seconds: this.config.maxAudioSeconds },
            );
          }
          // Charged before inference, as the license contract asks: a request over the day's quota does no work.
          await onAudio?.(audio.duration);
          const result = await this.runResumable(audio, options, signal, checkpoint);
          const processingSeconds = (performance.now() - started) / 1000;
          if (audio.duration > 0) {
            this.metrics.realTimeFactor.observe({}, processingSeconds / audio.duration);
            this.metrics.reference.realTimeFactor.observe(processingSeconds / audio.duration);
          }
          this.metrics.reference.processingSeconds.observe(
            { language: result.language || 'unknown' },
            processingSeconds,
          );
          this.metrics.audioSeconds.inc({}, audio.duration);
          return { result, duration: audio.duration, fileSize: file.bytes, processingSeconds };
        },
        signal,
        admitted,
      );
    } finally {
      if (input.kind === 'url') await fs.rm(file.path, { force: true });
    }
  }

  /** Downloads a URL input under the size cap, and under a total time cap so that a trickling origin cannot stall it. */
  private download(url: string, signal: AbortSignal): Promise<{ path: string; bytes: number }> {
    return this.services.audio.download(url, {
      maxBytes: this.config.maxSizeMb * 1024 * 1024,
      allowPrivate: this.config.allowPrivateUrls,
      totalTimeoutMs: this.config.downloadTimeoutSeconds * 1000,
      signal,
    });
  }

  /** Runs the model on samples already at 16 kHz (the streaming route), through the same queue. */
  transcribeSamples(samples: Float32Array, options: ListenOptions, signal: AbortSignal): Promise<TranscriptResult> {
    if (this.remoteSamples) return this.remoteSamples(samples, options, signal);
    return this.queue.run(
      () => this.runModel({ samples, sampleRate: 16000, duration: samples.length / 16000 }, options, signal),
      signal,
    );
  }

  /**
   * Runs the model; a queued job's run saves its checkpoint as it goes and continues where an earlier run of the job
   * got to (resumable-run.ts: CTC skips the windows done, Whisper continues after the last saved segment). With
   * speakers a job starts over: the server labels them from the speech regions its transcription found over the whole
   * recording, which a continued run would not have for the part already done.
   */
  private async runResumable(
    audio: { samples: Float32Array; sampleRate: 16000; duration: number },
    options: ListenOptions,
    signal: AbortSignal,
    checkpoint?: Checkpointing,
  ): Promise<TranscriptResult> {
    if (!checkpoint || options.diarize) return this.runModel(audio, options, signal);
    const { model } = this.readyModel();
    const language = modelLanguage(options.language, model.languages) ?? undefined;
    return runFromCheckpoint(model, audio, { language, wordTimestamps: options.timestamps }, signal, checkpoint);
  }

  private async runModel(
    audio: { samples: Float32Array; sampleRate: 16000; duration: number },
    options: ListenOptions,
    signal: AbortSignal,
  ): Promise<TranscriptResult> {
    const { model } = this.readyModel();
    const language = modelLanguage(options.language, model.languages) ?? undefined;
    return model.run(
      audio.samples,
      {
        language,
        wordTimestamps: options.timestamps,
        // Speakers are labelled in the model's thread too (the diarization models are ONNX as well).
        diarization: options.diarize ? { numSpeakers: options.num_speakers, models: this.diarization } : undefined,
      },
      signal,
    );
  }
}

export function newRequestId(): string {
  return `req_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Drops punctuation for punctuate=false (apostrophes inside words stay: "don't"). */
export function stripPunctuation(text: string): string {
  return text
    .replace(/[^\p{L}\p{N}\s']|'(?!\p{L})|(?<!\p{L})'/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}

export function allWords(segments: Segment[]): Word[] {
  return segments.flatMap((s) => s.words ?? []);
}

/** Overall confidence: the mean word confidence when words exist, else the segments' mean token probability. */
export function overallConfidence(segments: Segment[]): number {
  const words = allWords(segments);
  if (words.length) return round(words.reduce((a, w) => a + w.confidence, 0) / words.length, 4);
  if (!segments.length) return 0;
  const p = segments.reduce((a, s) => a + Math.exp(Math.min(0, s.avgLogprob)), 0) / segments.length;
  return round(Math.min(1, Math.max(0, p)), 4);
}

export function shapeWords(segments: Segment[], punctuate: boolean) {
  return allWords(segments)
    .map((w) => ({
      word: punctuate ? w.word.trim() : stripPunctuation(w.word),
      start: round(w.start),
      end: round(w.end),
      confidence: round(w.confidence, 4),
      ...(w.speaker ? { speaker: w.speaker } : {}),
    }))
    .filter((w) => w.word.length > 0);
}

export function listenResponse(requestId: string, t: Transcript, options: ListenOptions): ListenResponse {
  const text = t.result.text.trim();
  const body: ListenResponse = {
    request_id: requestId,
    text: options.punctuate ? text : stripPunctuation(text),
    confidence: overallConfidence(t.result.segments),
    duration: round(t.duration),
    language: t.result.language,
  };
  if (options.timestamps) body.words = shapeWords(t.result.segments, options.punctuate);
  if (options.diarize) {
    body.speakers = speakerUtterances(t.result.segments).map((u) => ({
      speaker: u.speaker,
      text: options.punctuate ? u.text : stripPunctuation(u.text),
      start: round(u.start),
      end: round(u.end),
    }));
  }
  return body;
}
