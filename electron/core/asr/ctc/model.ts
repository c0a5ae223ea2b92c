/**
 * The CTC engine: one ONNX session, windows chosen by voice activity detection, greedy or beam-search decoding per
 * window. Input is a whole array or a stream of chunks; runs are serialised per model (the session is shared) and
 * stream their segments as windows finish.
 */
import type * as ort from 'onnxruntime-node';
import { Tensor } from 'onnxruntime-node';
import { EarshotError, throwIfAborted } from '../../errors.ts';
import { ArraySource, type PcmSource, StreamSource } from '../pcm-source.ts';
import type { DeviceInfo, Pcm16k, Segment, SpeechModel, TranscribeOptions, TranscriptionRun } from '../types.ts';
import { SegmentStream } from '../segment-stream.ts';
import { forceAlign } from './align.ts';
import { beamSearch } from './beam.ts';
import {
  type DecodedWindow,
  type DecodeSettings,
  decodeGreedy,
  type FrameScores,
  wordsFromEmissions,
} from './greedy.ts';
import type { BigramLm } from './lm.ts';
import type { CtcPack } from './pack.ts';
import { segmentsFromWords } from './segments.ts';
import { planWindows } from './stream-windows.ts';
import type { CtcWindow } from './windows.ts';

const SAMPLE_RATE = 16000;

export class CtcSpeechModel implements SpeechModel {
  readonly family = 'ctc' as const;
  readonly name: string;
  readonly device: DeviceInfo;
  readonly languages: string[];
  /** Shown by the UI and the CLI next to results (e.g. "demo model trained on synthetic voices"). */
  readonly notice?: string;
  readonly pack: CtcPack;
  private readonly session: ort.InferenceSession;
  private readonly lm: BigramLm | null;
  private busy: Promise<unknown> = Promise.resolve();

  constructor(pack: CtcPack, session: ort.InferenceSession, device: DeviceInfo, lm: BigramLm | null = null) {
    this.pack = pack;
    this.lm = lm;
    this.name = pack.name;
    this.languages = pack.languages;
    this.notice = pack.notice;
    this.session = session;
    this.device = device;
  }

  transcribe(audio: Pcm16k, options: TranscribeOptions = {}): TranscriptionRun {
    if (audio.sampleRate !== SAMPLE_RATE) {
      throw new EarshotError('INVALID_PARAMETER', `${this.name} needs 16 kHz audio (got ${audio.sampleRate} Hz)`);
    }
    return this.run(new ArraySource(audio.samples), options);
  }

  /**
   * The same from a stream of 16 kHz mono chunks (the audio module's decodeStream): only the current VAD block is
   * buffered, so a file of any length streams through. `durationHint` (seconds) drives progress before the end.
   */
  transcribeStream(
    chunks: AsyncIterable<Float32Array>,
    options: TranscribeOptions & { durationHint?: number } = {},
  ): TranscriptionRun {
    return this.run(new StreamSource(chunks, Math.round((options.durationHint ?? 0) * SAMPLE_RATE)), options);
  }

  private run(source: PcmSource, options: TranscribeOptions): TranscriptionRun {
    const language = options.language && options.language !== 'auto' ? options.language : this.languages[0];
    if (!this.languages.includes(language)) {
      throw new EarshotError('INVALID_PARAMETER', `Language '${language}' is not supported by ${this.name}`);
    }
    if (options.task === 'translate') {
      throw new EarshotError('INVALID_PARAMETER', `${this.name} only transcribes; it cannot translate`);
    }
    const previous = this.busy;
    const stream = new SegmentStream(async (emit) => {
      await previous.catch(() => {});
      const windows = planWindows(source, this.pack.maxWindowSeconds, {
        vad: options.vad,
        signal: options.signal,
        onSpeech: options.onSpeech,
      });
      for await (const w of windows) {
        throwIfAborted(options.signal);
        const from = Math.max(0, Math.floor(w.start * SAMPLE_RATE));
        if (options.resumeAfter !== undefined && w.end <= options.resumeAfter + 0.001) {
          source.release(from);
          continue;
        }
        const audio = source.view(from, Math.ceil(w.end * SAMPLE_RATE));
        for (const s of await this.transcribeWindow(audio, from, w, options)) emit(s);
        source.release(from);
        options.onProgress?.(Math.min(1, (w.end * SAMPLE_RATE) / Math.max(1, source.expected)));
      }
      throwIfAborted(options.signal);
      // planWindows reads the input to its end, so `available` is now the whole duration.
      options.onProgress?.(1);
      return { language, duration: source.available / SAMPLE_RATE, device: this.device, model: this.name };
    });
    this.busy = stream.result().catch(() => {});
    return stream;
  }

  /** `audio` is the window's samples; `from` is the index of its first sample in the whole recording. */
  private async transcribeWindow(
    audio: Float32Array,
    from: number,
    w: CtcWindow,
    options: TranscribeOptions,
  ): Promise<Omit<Segment, 'id'>[]> {
    // Very short windows are padded with silence up to what the network's first layers need.
    const input = new Float32Array(Math.max(audio.length, this.pack.input.minSamples * 2));
    input.set(audio);
    const feeds = { [this.pack.input.name]: new Tensor('float32', input, [1, input.length]) };
    const outputs = await this.session.run(feeds);
    const out = outputs[this.pack.output.name];
    const [, frames, vocabSize] = out.dims;
    const decoded = this.decode(
      { logProbs: out.data as Float32Array, frames, vocabSize },
      { ...this.pack, windowStart: from / SAMPLE_RATE },
      options.beamSize ?? this.pack.decoder?.beamSize ?? 1,
    );
    for (const t of Object.values(outputs)) t.dispose?.();
    const own = decoded.words.filter((word) => {
      const middle = (word.start + word.end) / 2;
      return middle >= w.ownStart && middle < w.ownEnd;
    });
    return segmentsFromWords(own, decoded.avgLogprob);
  }

  /**
   * Greedy decoding, or beam search with the pack's language model when it has one and beamSize > 1; beam-search
   * words get their timings by forced alignment of the chosen text.
   */
  private decode(scores: FrameScores, settings: DecodeSettings, beamSize: number): DecodedWindow {
    const greedy = decodeGreedy(scores, settings);
    // The word bonus must not make words out of a window where no frame says anything but blank.
    if (beamSize <= 1 || !this.lm || greedy.words.length === 0) return greedy;
    const { vocabulary, blankId } = this.pack;
    const decoder = { alpha: 0.8, beta: 1.5, ...this.pack.decoder };
    const text = beamSearch(scores, this.lm, {
      vocabulary,
      blankId,
      beamSize,
      alpha: decoder.alpha,
      beta: decoder.beta,
    });
    const tokens = [...text].map((ch) => vocabulary.indexOf(ch)).filter((id) => id >= 0 && id !== blankId);
    const aligned = forceAlign(scores, tokens, vocabulary, blankId);
    if (!aligned) return greedy;
    return { words: wordsFromEmissions(aligned, settings), avgLogprob: greedy.avgLogprob };
  }

  async dispose(): Promise<void> {
    await this.busy;
    await this.session.release();
  }
}
