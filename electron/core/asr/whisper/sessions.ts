/**
 * The two ONNX sessions (encoder, merged decoder) and one decoder step with its KV cache.
 *
 * The merged decoder takes `use_cache_branch`: false on the first step (it computes the cross-attention K/V from the
 * encoder output), true afterwards (it reuses them). We fetch only the outputs a step needs: the cross K/V come back
 * once per window and are then passed in, and the pass-through copies the cache branch returns are never copied
 * into JS (a few MB per step for tiny, hundreds for large).
 */
import * as ort from 'onnxruntime-node';
import { EarshotError } from '../../errors.ts';
import { createSession, SessionCreateError } from '../device.ts';
import type { DeviceInfo, DeviceRequest } from '../types.ts';
import type { WhisperDims } from './config.ts';

export interface WhisperSessionOptions {
  device?: DeviceRequest;
  threads?: number;
  /** Extra onnxruntime options for the decoder session (tools/bench/asr-step.ts turns on its profiler). */
  decoderOptions?: ort.InferenceSession.SessionOptions;
}

export interface DecoderCache {
  /** present.i.decoder.key / value, per layer, [batch, heads, length, headDim]. */
  self: ort.Tensor[];
  /** present.i.encoder.key / value, per layer, [batch, heads, 1500, headDim]. */
  cross: ort.Tensor[];
  batch: number;
}

export interface StepResult {
  /** Logits of the last position, [batch][vocab] flattened (float32). */
  last: Float32Array;
  /** On the first step, the logits at every input position (for <|nospeech|> at the sot position). */
  all?: Float32Array;
  positions: number;
  cache: DecoderCache;
  /** Cross-attention weights of this step, per layer [batch, heads, positions, frames], when requested. */
  crossAttentions?: ort.Tensor[];
}

export class WhisperSessions {
  readonly device: DeviceInfo;
  readonly hasCrossAttentions: boolean;
  /** [layer, head] pairs whose cross-attention follows the audio (generation_config alignment_heads). */
  alignmentHeads: [number, number][] = [];
  private readonly floatType: 'float32' | 'float16';

  private constructor(
    readonly encoder: ort.InferenceSession,
    readonly decoder: ort.InferenceSession,
    device: DeviceInfo,
    readonly dims: WhisperDims,
  ) {
    this.device = device;
    this.hasCrossAttentions = decoder.outputNames.includes('cross_attentions.0');
    const meta = decoder.inputMetadata.find((m) => m.name === 'past_key_values.0.decoder.key');
    this.floatType = meta?.isTensor && meta.type === 'float16' ? 'float16' : 'float32';
  }

  /** The decoder goes on the device the encoder landed on, so both report the same, honest device. */
  static async open(
    files: { encoder: string; decoder: string },
    dims: WhisperDims,
    options: WhisperSessionOptions,
  ): Promise<WhisperSessions> {
    let enc: Awaited<ReturnType<typeof createSession>>;
    try {
      // Without a memory pattern the encoder's arena reuses the blocks of its big attention tensors instead of
      // planning one block for all of them: peak RSS fell from 502 to 391 MB (whisper-tiny int8, 2 threads) at the
      // same speed (tools/bench/asr.ts measures it).
      enc = await createSession(files.encoder, {
        device: options.device,
        threads: options.threads,
        options: { enableMemPattern: false },
      });
    } catch (e) {
      if (!(e instanceof SessionCreateError)) throw e;
      // MODEL_INVALID: CPU was among the candidates and failed too, so the file is the problem, not the device.
      const device = options.device ?? 'auto';
      switch (e.code) {
        case 'MODEL_INVALID':
          throw new EarshotError('MODEL_INVALID', `Cannot load ${files.encoder}: ${e.message}`, {}, { cause: e });
        default:
          throw new EarshotError(
            'DEVICE_UNAVAILABLE',
            `Device '${device}' is not available: ${e.message}`,
            {},
            { cause: e },
          );
      }
    }
    try {
      const dec = await createSession(files.decoder, {
        device: enc.device.provider,
        threads: options.threads,
        options: options.decoderOptions,
      });
      return new WhisperSessions(enc.session, dec.session, enc.device, dims);
    } catch (e) {
      await enc.session.release();
      throw e;
    }
  }

  async release(): Promise<void> {
    await Promise.all([this.encoder.release(), this.decoder.release()]);
  }

  /**
   * Encodes `batch` windows one at a time and stacks the outputs. On CPU a batched encoder is no faster, and its
   * attention scores ([batch, heads, 1500, 1500]) would multiply peak memory by the batch size.
   */
  async encodeEach(features: Float32Array, batch: number): Promise<ort.Tensor> {
    if (batch === 1) return this.encode(features, 1);
    const per = features.length / batch;
    let stacked: Float32Array | Uint16Array | null = null;
    let first: ort.Tensor | null = null;
    for (let b = 0; b < batch; b++) {
      const out = await this.encode(features.subarray(b * per, (b + 1) * per), 1);
      const data = out.data as Float32Array | Uint16Array;
      if (!stacked || !first) {
        first = out;
        stacked = new (data.constructor as Float32ArrayConstructor | Uint16ArrayConstructor)(data.length * batch);
      }
      stacked.set(data, b * data.length);
    }
    const f = first as ort.Tensor;
    return new ort.Tensor(f.type as 'float32', stacked as Float32Array, [batch, ...f.dims.slice(1)]);
  }

  /** Encodes `batch` log-mel windows laid out back to back ([batch, nMels, 3000]). */
  async encode(features: Float32Array, batch: number): Promise<ort.Tensor> {
    const input = new ort.Tensor('float32', features, [
      batch,
      this.dims.nMels,
      features.length / batch / this.dims.nMels,
    ]);
    const feeds: Record<string, ort.Tensor> = { [this.encoder.inputNames[0]]: this.castIn(input) };
    // *_timestamped exports also return encoder_attentions.*, which word timing never reads: fetch the hidden states only.
    const names = this.encoder.outputNames;
    const hidden = names.includes('last_hidden_state') ? 'last_hidden_state' : names[0];
    const out = await this.encoder.run(feeds, [hidden]);
    return out[hidden];
  }

  /**
   * One decoder step for `tokens` ([batch][positions], all rows the same length). Without a cache it starts the
   * windows in `hidden` (the encoder output); with one it extends it.
   */
  async step(
    tokens: number[][],
    hidden: ort.Tensor,
    cache: DecoderCache | null,
    wantCross = false,
  ): Promise<StepResult> {
    const batch = tokens.length;
    const positions = tokens[0].length;
    const ids = new BigInt64Array(batch * positions);
    for (let b = 0; b < batch; b++) for (let t = 0; t < positions; t++) ids[b * positions + t] = BigInt(tokens[b][t]);
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', ids, [batch, positions]),
      encoder_hidden_states: hidden,
      use_cache_branch: new ort.Tensor('bool', new Uint8Array([cache ? 1 : 0]), [1]),
    };
    const layers = this.dims.decoderLayers;
    const heads = this.dims.decoderHeads;
    const headDim = this.dims.dModel / heads;
    const empty = () =>
      this.floatType === 'float16'
        ? new ort.Tensor('float16', new Uint16Array(0), [batch, heads, 0, headDim])
        : new ort.Tensor('float32', new Float32Array(0), [batch, heads, 0, headDim]);
    for (let i = 0; i < layers; i++) {
      feeds[`past_key_values.${i}.decoder.key`] = cache ? cache.self[2 * i] : empty();
      feeds[`past_key_values.${i}.decoder.value`] = cache ? cache.self[2 * i + 1] : empty();
      feeds[`past_key_values.${i}.encoder.key`] = cache ? cache.cross[2 * i] : empty();
      feeds[`past_key_values.${i}.encoder.value`] = cache ? cache.cross[2 * i + 1] : empty();
    }
    const fetches = ['logits'];
    for (let i = 0; i < layers; i++) {
      fetches.push(`present.${i}.decoder.key`, `present.${i}.decoder.value`);
      if (!cache) fetches.push(`present.${i}.encoder.key`, `present.${i}.encoder.value`);
      if (wantCross && this.hasCrossAttentions) fetches.push(`cross_attentions.${i}`);
    }
    const out = await this.decoder.run(feeds, fetches);
    const logits = toFloat32(out.logits);
    const vocab = out.logits.dims[2];
    // One position per row (every cached step): the logits already are the last rows, no copy needed.
    const last = positions === 1 ? logits : new Float32Array(batch * vocab);
    for (let b = 0; positions > 1 && b < batch; b++) {
      last.set(
        logits.subarray((b * positions + positions - 1) * vocab, (b * positions + positions) * vocab),
        b * vocab,
      );
    }
    const self: ort.Tensor[] = [];
    const cross: ort.Tensor[] = [];
    for (let i = 0; i < layers; i++) {
      self.push(out[`present.${i}.decoder.key`], out[`present.${i}.decoder.value`]);
      cross.push(
        cache ? cache.cross[2 * i] : out[`present.${i}.encoder.key`],
        cache ? cache.cross[2 * i + 1] : out[`present.${i}.encoder.value`],
      );
    }
    const crossAttentions =
      wantCross && this.hasCrossAttentions
        ? Array.from({ length: layers }, (_, i) => out[`cross_attentions.${i}`])
        : undefined;
    return { last, all: cache ? undefined : logits, positions, cache: { self, cross, batch }, crossAttentions };
  }

  /**
   * Whether one window through the encoder and one decoder step give only finite numbers. fp16 weights give NaN or
   * infinity on some GPUs (older cards, some drivers), which other apps turn into blank transcripts reported as done.
   */
  async givesFiniteNumbers(features: Float32Array, sot: number): Promise<boolean> {
    const hidden = await this.encode(features, 1);
    if (!toFloat32(hidden).every(Number.isFinite)) return false;
    const { last } = await this.step([[sot]], hidden, null);
    return last.every(Number.isFinite);
  }

  private castIn(t: ort.Tensor): ort.Tensor {
    const meta = this.encoder.inputMetadata[0];
    if (meta?.isTensor && meta.type === 'float16') {
      return new ort.Tensor('float16', float32ToFloat16(t.data as Float32Array), t.dims);
    }
    return t;
  }
}

/** Keeps only rows `rows` (with repeats) of each cache tensor: beam search reordering. */
export function selectCacheRows(cache: DecoderCache, rows: number[], selfOnly = false): DecoderCache {
  const pick = (t: ort.Tensor): ort.Tensor => {
    const per = t.size / t.dims[0];
    const src = t.data as Float32Array | Uint16Array;
    const dst = new (src.constructor as Float32ArrayConstructor | Uint16ArrayConstructor)(per * rows.length);
    rows.forEach((r, i) => {
      dst.set(src.subarray(r * per, (r + 1) * per), i * per);
    });
    return new ort.Tensor(t.type as 'float32', dst as Float32Array, [rows.length, ...t.dims.slice(1)]);
  };
  return {
    self: cache.self.map(pick),
    cross: selfOnly ? cache.cross : cache.cross.map(pick),
    batch: rows.length,
  };
}

export function toFloat32(t: ort.Tensor): Float32Array {
  if (t.type === 'float32') return t.data as Float32Array;
  if (t.type === 'float16') {
    const src = t.data as Uint16Array;
    const out = new Float32Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = float16ToFloat32(src[i]);
    return out;
  }
  throw new Error(`unexpected tensor type ${t.type}`);
}

function float16ToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

function float32ToFloat16(src: Float32Array): Uint16Array {
  const out = new Uint16Array(src.length);
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < src.length; i++) {
    f[0] = src[i];
    const x = u[0];
    const sign = (x >>> 16) & 0x8000;
    const exp = ((x >>> 23) & 0xff) - 127 + 15;
    const mant = x & 0x7fffff;
    // Round to nearest (a carry out of the mantissa bumps the exponent); tiny values flush to zero.
    let e = exp;
    let m = mant + 0x1000;
    if (m & 0x800000) {
      m = 0;
      e += 1;
    }
    if (e <= 0) out[i] = sign;
    else if (e >= 31) out[i] = sign | 0x7c00;
    else out[i] = sign | (e << 10) | (m >>> 13);
  }
  return out;
}
