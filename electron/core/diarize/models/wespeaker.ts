/** WeSpeaker ResNet speaker embeddings with onnxruntime: fbank features (./fbank.ts) in, one vector per input out. */
import * as ort from 'onnxruntime-node';
import { Fbank } from './fbank.ts';
import { openDiarizationModel } from './folder.ts';
import type { SessionOptions } from './pyannote.ts';

export class WespeakerEmbedder {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly fbank: Fbank,
  ) {}

  static async load(dir: string, options: SessionOptions = {}): Promise<WespeakerEmbedder> {
    const { session, check } = await openDiarizationModel(dir, 'wespeaker', options);
    const { melBins, minFrames, samplingRate } = check.wespeaker!;
    return new WespeakerEmbedder(session, new Fbank(melBins, minFrames, samplingRate));
  }

  /** The embedding of already computed features [frames × melBins]. */
  async embedFeatures(features: { data: Float32Array; frames: number }): Promise<Float32Array> {
    const input = new ort.Tensor('float32', features.data, [1, features.frames, this.fbank.melBins]);
    const out = await this.session.run({ [this.session.inputNames[0]]: input });
    const t = out[this.session.outputNames[0]];
    const vector = new Float32Array(t.data as Float32Array);
    t.dispose?.();
    return vector;
  }

  /** The embedding of 16 kHz samples. */
  embed(samples: Float32Array): Promise<Float32Array> {
    return this.embedFeatures(this.fbank.compute(samples));
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
