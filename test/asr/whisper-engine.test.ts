/**
 * The Whisper engine's behaviour on real sessions with the committed random models: folder validation, weight
 * variants, devices, both long-audio modes, streaming, progress, cancellation, beam search, language detection,
 * prompts and the guards against Whisper's failure modes.
 */
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isEarshotError } from '../../electron/core/errors.ts';
import { loadSpeechModel } from '../../electron/core/asr/load-model.ts';
import type { Segment } from '../../electron/core/asr/types.ts';
import { loadWhisperModel, type WhisperModel } from '../../electron/core/asr/whisper/index.ts';
import { repetitionLoopStart } from '../../electron/core/asr/whisper/text-checks.ts';
import {
  ENGLISH,
  espeak,
  FIXTURES,
  MULTILINGUAL,
  referenceLanguage,
  seededNoise,
  toLength,
  V3,
} from './whisper-helpers.ts';

const speech = espeak('Earshot turns speech into text on your own computer. Nothing leaves the machine.');
const pcm = (samples: Float32Array) => ({ samples, sampleRate: 16000 as const });
const quick = { maxNewTokens: 16, language: 'en' };

function tempCopy(dir: string): string {
  const out = mkdtempSync(path.join(os.tmpdir(), 'earshot-whisper-model-'));
  cpSync(dir, out, { recursive: true });
  return out;
}

describe('Whisper model folders', () => {
  test('a missing file is named in the error', async () => {
    const dir = tempCopy(MULTILINGUAL);
    try {
      unlinkSync(path.join(dir, 'tokenizer.json'));
      await assert.rejects(
        loadWhisperModel(dir),
        (e) => isEarshotError(e, 'MODEL_INVALID') && /tokenizer\.json/.test(e.message),
      );
      copyFileSync(path.join(MULTILINGUAL, 'tokenizer.json'), path.join(dir, 'tokenizer.json'));
      unlinkSync(path.join(dir, 'onnx', 'decoder_model_merged.onnx'));
      await assert.rejects(
        loadWhisperModel(dir),
        (e) => isEarshotError(e, 'MODEL_INVALID') && /decoder_model_merged/.test(e.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a folder that does not exist is MODEL_NOT_FOUND', async () => {
    await assert.rejects(loadWhisperModel('/nonexistent/whisper'), (e) => isEarshotError(e, 'MODEL_NOT_FOUND'));
  });

  test('weight variant: quantized preferred on CPU when present, an explicit one honoured, a missing one refused', async () => {
    const dir = tempCopy(MULTILINGUAL);
    try {
      for (const part of ['encoder_model', 'decoder_model_merged']) {
        copyFileSync(path.join(dir, 'onnx', `${part}.onnx`), path.join(dir, 'onnx', `${part}_quantized.onnx`));
      }
      const auto = await loadWhisperModel(dir, { device: 'cpu', threads: 1 });
      assert.equal(auto.variant, 'quantized');
      await auto.dispose();
      const fp32 = await loadWhisperModel(dir, { device: 'cpu', threads: 1, variant: 'fp32' });
      assert.equal(fp32.variant, 'fp32');
      await fp32.dispose();
      await assert.rejects(
        loadWhisperModel(dir, { device: 'cpu', variant: 'fp16' }),
        (e) => isEarshotError(e, 'MODEL_INVALID') && /fp16/.test(e.message) && /quantized/.test(e.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Whisper devices', () => {
  test('a provider this platform cannot load fails clearly', async () => {
    const unavailable = process.platform === 'win32' ? 'coreml' : 'dml';
    await assert.rejects(
      loadWhisperModel(MULTILINGUAL, { device: unavailable }),
      (e) => isEarshotError(e, 'DEVICE_UNAVAILABLE') && e.message.includes(unavailable),
    );
  });

  test("'cuda' either runs on CUDA or fails with DEVICE_UNAVAILABLE naming it", async () => {
    try {
      const m = await loadWhisperModel(MULTILINGUAL, { device: 'cuda' });
      assert.equal(m.device.provider, 'cuda');
      await m.dispose();
    } catch (e) {
      assert.ok(isEarshotError(e, 'DEVICE_UNAVAILABLE') && /cuda/.test(e.message), String(e));
    }
  });

  test("'auto' ends on a device that works and lists what it tried before", async () => {
    const m = await loadWhisperModel(MULTILINGUAL, { device: 'auto', threads: 2 });
    try {
      if (m.device.provider === 'cpu') {
        assert.equal(m.device.threads, 2);
        const tried = m.device.fallbacks.map((f) => f.provider);
        assert.ok(tried.length >= 1, 'GPU providers were tried first');
        for (const f of m.device.fallbacks) assert.ok(f.reason.length > 0);
      }
      const r = await m.transcribe(pcm(speech), { ...quick, mode: 'sequential' }).result();
      assert.deepEqual(r.device, m.device);
    } finally {
      await m.dispose();
    }
  });
});

describe('Whisper transcription', () => {
  let model: WhisperModel;
  before(async () => {
    model = (await loadSpeechModel(MULTILINGUAL, { device: 'cpu', threads: 2 })) as WhisperModel;
  });
  after(async () => model.dispose());

  for (const mode of ['sequential', 'batched'] as const) {
    test(`${mode}: segments stream as they finish, progress reaches 1, times stay inside the audio`, async () => {
      const audio = toLength(speech, 40);
      const progress: number[] = [];
      const run = model.transcribe(pcm(audio), {
        ...quick,
        mode,
        temperatureFallback: false,
        onProgress: (f) => progress.push(f),
      });
      const streamed: Segment[] = [];
      for await (const s of run) streamed.push(s);
      const result = await run.result();
      assert.deepEqual(streamed, result.segments);
      assert.ok(result.segments.length >= 1);
      assert.equal(result.language, 'en');
      assert.equal(result.model, 'whisper-tiny-random');
      assert.equal(result.duration, 40);
      for (let i = 1; i < progress.length; i++) assert.ok(progress[i] >= progress[i - 1]);
      assert.equal(progress.at(-1), 1);
      for (const s of result.segments) {
        assert.ok(s.start >= 0 && s.end <= 40.01 && s.start <= s.end, `${s.start}-${s.end}`);
        assert.ok(Number.isFinite(s.avgLogprob) && s.noSpeechProb >= 0 && s.noSpeechProb <= 1);
        for (const w of s.words ?? []) {
          assert.ok(w.start >= s.start - 1e-6 && w.end <= s.end + 1e-6 && w.start <= w.end);
          assert.ok(w.confidence > 0 && w.confidence <= 1);
        }
      }
      assert.equal(
        result.text,
        result.segments
          .map((s) => s.text)
          .join('')
          .trim(),
      );
    });
  }

  test('a stream is read as needed: a few windows ahead, same segments as the whole array', async () => {
    const audio = toLength(speech, 180);
    let pulled = 0;
    let pulledAtFirstSegment = -1;
    async function* chunks() {
      for (let i = 0; i < audio.length; i += 16000) {
        pulled = i + 16000;
        yield audio.slice(i, i + 16000);
      }
    }
    const options = { ...quick, mode: 'sequential' as const, timestamps: false, temperatureFallback: false };
    const run = model.transcribeStream(chunks(), { ...options, durationHint: 180 });
    const streamed: Segment[] = [];
    for await (const s of run) {
      if (pulledAtFirstSegment < 0) pulledAtFirstSegment = pulled;
      streamed.push(s);
    }
    assert.ok(pulledAtFirstSegment <= 61 * 16000, `read ${pulledAtFirstSegment / 16000}s before the first segment`);
    const whole = await model.transcribe(pcm(audio), options).result();
    assert.deepEqual(streamed, whole.segments);
    assert.equal((await run.result()).duration, 180);
  });

  test('batched windows hold speech only, and times map back to the original timeline', async () => {
    const piece = speech.subarray(0, 16000 * 4);
    const audio = new Float32Array(16000 * 28);
    audio.set(piece, 0);
    audio.set(piece, 16000 * 24);
    const windows: { startSample: number; samples: number }[] = [];
    const r = await model
      .transcribe(pcm(audio), {
        ...quick,
        mode: 'batched',
        speechRegions: [
          { start: 0, end: 4 },
          { start: 24, end: 28 },
        ],
        onWindow: (w) => windows.push(w),
      })
      .result();
    assert.equal(windows.length, 1);
    assert.equal(windows[0].samples, 16000 * 8);
    for (const s of r.segments) {
      assert.equal(s.start, 0);
      assert.equal(s.end, 28);
      for (const w of s.words ?? [])
        assert.ok(!(w.start > 4.001 && w.end < 23.999), `word ${w.start}-${w.end} in the gap`);
    }
  });

  test('an AbortSignal stops the run within one window', async () => {
    const controller = new AbortController();
    let windowsAfterAbort = 0;
    const run = model.transcribe(pcm(toLength(speech, 150)), {
      ...quick,
      mode: 'sequential',
      timestamps: false,
      signal: controller.signal,
      onWindow: () => {
        if (controller.signal.aborted) windowsAfterAbort++;
        else controller.abort();
      },
    });
    await assert.rejects(run.result(), (e) => isEarshotError(e, 'CANCELLED'));
    assert.ok(windowsAfterAbort <= 1, `decoded ${windowsAfterAbort} windows after the abort`);
  });

  test('beam search (5) is deterministic and scores at least as well as greedy', async () => {
    const score: Record<string, number> = {};
    for (const beamSize of [1, 5, 5]) {
      const windows: number[][] = [];
      const r = await model
        .transcribe(pcm(speech), {
          ...quick,
          mode: 'sequential',
          timestamps: false,
          beamSize,
          temperatureFallback: false,
          repetitionGuard: false,
          onWindow: (w) => windows.push(w.tokens),
        })
        .result();
      assert.equal(windows.length, 1);
      const key = `${beamSize}`;
      if (key in score) assert.equal(r.segments[0].avgLogprob, score[key]);
      score[key] = r.segments[0].avgLogprob;
    }
    assert.ok(score['5'] >= score['1'] - 1e-6, `beam ${score['5']} vs greedy ${score['1']}`);
  });

  test("language detection picks the reference's language for each input; unknown languages are refused", async () => {
    // Random weights prefer different languages for different audio (speech, quiet and loud noise, silence): the
    // reference (transformers.js) says which, from its own features, encoder and decoder.
    const { languages, sot } = model.context.tokens;
    const inputs = [speech, seededNoise(5), seededNoise(5, 3, 0.5), new Float32Array(32000)];
    const detected = new Set<string>();
    for (const audio of inputs) {
      const r = await model.transcribe(pcm(audio), { maxNewTokens: 2, mode: 'batched' }).result();
      assert.equal(r.language, await referenceLanguage(MULTILINGUAL, audio, languages, sot));
      detected.add(r.language);
    }
    assert.ok(detected.size > 1, 'the inputs lead to different languages, so agreement is not by chance');
    assert.equal(model.languages.length, 99);
    assert.throws(
      () => model.transcribe(pcm(speech), { language: 'xx' }),
      (e) => isEarshotError(e, 'INVALID_PARAMETER'),
    );
  });

  test('translate and an initial prompt change the decoder prefix', async () => {
    const prefixes: number[][] = [];
    for (const options of [{ task: 'translate' as const }, { initialPrompt: 'Earshot, ONNX, Kubernetes' }]) {
      await model
        .transcribe(pcm(speech), { ...quick, ...options, mode: 'batched', onWindow: (w) => prefixes.push(w.prefix) })
        .result();
    }
    const t = model.context.tokens;
    assert.deepEqual(prefixes[0], [t.sot, t.languages.get('en'), t.translate, t.noTimestamps]);
    assert.equal(prefixes[1][0], t.startOfPrev);
    assert.equal(
      model.context.tokenizer.decode(prefixes[1].slice(1, prefixes[1].indexOf(t.sot))),
      ' Earshot, ONNX, Kubernetes',
    );
  });

  test('repetition loops are detected and the window is decoded again', async () => {
    const plain: number[][] = [];
    const guarded: { tokens: number[]; temperature: number }[] = [];
    const base = { language: 'en', maxNewTokens: 48, mode: 'batched' as const, temperatureFallback: false };
    await model
      .transcribe(pcm(speech), { ...base, repetitionGuard: false, onWindow: (w) => plain.push(w.tokens) })
      .result();
    assert.ok(
      plain.some((t) => repetitionLoopStart(t) >= 0),
      'the random model loops when unguarded',
    );
    const r = await model.transcribe(pcm(speech), { ...base, onWindow: (w) => guarded.push(w) }).result();
    assert.ok(guarded.every((w) => w.temperature > 0 || repetitionLoopStart(w.tokens) < 0));
    assert.ok(
      guarded.some((w) => w.temperature > 0),
      're-decoded at a higher temperature',
    );
    for (const s of r.segments) {
      const ids = model.context.tokenizer.encode(s.text);
      assert.ok(repetitionLoopStart(ids) < 0 || ids.length < 8, `loop left in "${s.text}"`);
    }
  });

  test('text over silence is dropped when speech regions are known', async () => {
    const audio = new Float32Array(16000 * 20);
    audio.set(speech.subarray(0, Math.min(speech.length, 16000 * 4)));
    const regions = [{ start: 0, end: 4 }];
    const r = await model
      .transcribe(pcm(audio), { ...quick, mode: 'sequential', speechRegions: regions, temperatureFallback: false })
      .result();
    for (const s of r.segments) assert.ok(s.start < 4, `segment ${s.start}-${s.end} lies in silence`);
    const windows: number[] = [];
    const long = new Float32Array(16000 * 70);
    long.set(speech.subarray(0, Math.min(speech.length, 16000 * 4)));
    const vad = await model
      .transcribe(pcm(long), {
        ...quick,
        mode: 'sequential',
        vad: true,
        temperatureFallback: false,
        onWindow: (w) => windows.push(w.startSample / 16000),
      })
      .result();
    assert.deepEqual(windows, [0], 'silent windows are skipped, not decoded');
    for (const s of vad.segments) assert.ok(s.start < 5, `segment ${s.start}-${s.end} lies in silence`);
    const none = await model
      .transcribe(pcm(new Float32Array(16000 * 10)), { ...quick, mode: 'batched', speechRegions: [] })
      .result();
    assert.equal(none.segments.length, 0);
  });
});

describe('Whisper model variants', () => {
  test('English-only: transcribes, reports en, refuses translate', async () => {
    const m = await loadWhisperModel(ENGLISH, { device: 'cpu', threads: 1 });
    try {
      assert.deepEqual(m.languages, ['en']);
      const r = await m.transcribe(pcm(speech), { maxNewTokens: 8, mode: 'sequential' }).result();
      assert.equal(r.language, 'en');
      assert.throws(
        () => m.transcribe(pcm(speech), { task: 'translate' }),
        (e) => isEarshotError(e, 'INVALID_PARAMETER'),
      );
    } finally {
      await m.dispose();
    }
  });

  test('fp16 (the GPU variant: float16 weights, inputs, KV cache and outputs) decodes like fp32', async () => {
    // The committed fp16 files were made from this fixture by tools/fixtures/make_fp16_variant.py.
    const dir = tempCopy(MULTILINGUAL);
    const fp16Dir = path.join(FIXTURES, 'fp16-variant', 'whisper-tiny-random');
    for (const part of ['encoder_model', 'decoder_model_merged']) {
      copyFileSync(path.join(fp16Dir, `${part}_fp16.onnx`), path.join(dir, 'onnx', `${part}_fp16.onnx`));
    }
    const models = {
      fp32: await loadWhisperModel(dir, { device: 'cpu', threads: 1, variant: 'fp32' }),
      fp16: await loadWhisperModel(dir, { device: 'cpu', threads: 1, variant: 'fp16' }),
    };
    try {
      assert.equal(models.fp16.variant, 'fp16');
      const inputs = [speech, toLength(speech, 45), seededNoise(8)];
      for (const [i, audio] of inputs.entries()) {
        const tokens: Record<string, number[][]> = { fp32: [], fp16: [] };
        const texts: Record<string, string> = {};
        for (const variant of ['fp32', 'fp16'] as const) {
          const r = await models[variant]
            .transcribe(pcm(audio), { ...quick, mode: 'sequential', onWindow: (w) => tokens[variant].push(w.tokens) })
            .result();
          texts[variant] = r.text;
        }
        assert.ok(tokens.fp16.length > 0 && tokens.fp16.flat().length > 0, `input ${i} decoded something`);
        // Weights rounded to float16 may flip a near-tie of this random model (seen once, on noise): the tokens must
        // agree almost everywhere, not bit for bit.
        const a = tokens.fp16.flat();
        const b = tokens.fp32.flat();
        const same = a.filter((t, k) => t === b[k]).length;
        assert.ok(same / Math.max(a.length, b.length) >= 0.9, `input ${i}: ${same} of ${b.length} tokens agree`);
        assert.deepEqual(a.slice(0, 3), b.slice(0, 3));
        if (i < 2) assert.equal(texts.fp16, texts.fp32, `speech input ${i}: the same text`);
      }
    } finally {
      await models.fp32.dispose();
      await models.fp16.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('fp16 weights that overflow to NaN/infinity (as on some GPUs) are caught at load, never run silently', async () => {
    // The encoder was made to overflow by tools/fixtures/make_fp16_variant.py --overflow.
    const dir = tempCopy(MULTILINGUAL);
    const onnxDir = path.join(dir, 'onnx');
    copyFileSync(
      path.join(FIXTURES, 'fp16-variant', 'whisper-tiny-random-overflow', 'encoder_model_fp16.onnx'),
      path.join(onnxDir, 'encoder_model_fp16.onnx'),
    );
    copyFileSync(
      path.join(FIXTURES, 'fp16-variant', 'whisper-tiny-random', 'decoder_model_merged_fp16.onnx'),
      path.join(onnxDir, 'decoder_model_merged_fp16.onnx'),
    );
    try {
      // Asked for by name: a clear error that names the alternatives.
      await assert.rejects(
        loadWhisperModel(dir, { device: 'cpu', threads: 1, variant: 'fp16' }),
        (e) => isEarshotError(e, 'MODEL_INVALID') && /NaN or infinity/.test(e.message) && /fp32/.test(e.message),
      );
      // Chosen automatically (here: fp16 and q4 only, so fp16 comes first on this CPU): the next variant runs,
      // and the model says why next to its results.
      for (const part of ['encoder_model', 'decoder_model_merged']) {
        copyFileSync(path.join(onnxDir, `${part}.onnx`), path.join(onnxDir, `${part}_q4.onnx`));
        unlinkSync(path.join(onnxDir, `${part}.onnx`));
      }
      const m = await loadWhisperModel(dir, { device: 'cpu', threads: 1 });
      try {
        assert.equal(m.variant, 'q4');
        assert.match(m.notice ?? '', /fp16 weights give invalid numbers .*using the q4 weights/);
        assert.equal(m.device.note, m.notice, 'the device report carries it to the app, the CLI and the API');
        // The q4 files here are the fp32 ones renamed, so the fallback must transcribe exactly as fp32 does.
        const r = await m.transcribe(pcm(speech), { ...quick, mode: 'sequential' }).result();
        const fp32 = await loadWhisperModel(MULTILINGUAL, { device: 'cpu', threads: 1, variant: 'fp32' });
        try {
          const expected = await fp32.transcribe(pcm(speech), { ...quick, mode: 'sequential' }).result();
          assert.equal(r.text, expected.text);
          assert.deepEqual(
            r.segments.map((s) => [s.start, s.end]),
            expected.segments.map((s) => [s.start, s.end]),
          );
        } finally {
          await fp32.dispose();
        }
      } finally {
        await m.dispose();
      }
      // With nothing else to fall back on, loading fails instead of producing blank transcripts.
      for (const part of ['encoder_model', 'decoder_model_merged']) unlinkSync(path.join(onnxDir, `${part}_q4.onnx`));
      await assert.rejects(loadWhisperModel(dir, { device: 'cpu', threads: 1 }), (e) =>
        isEarshotError(e, 'MODEL_INVALID'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('128-mel (large-v3 layout): 100 languages, shifted special tokens, transcribes', async () => {
    const m = await loadWhisperModel(V3, { device: 'cpu', threads: 1 });
    try {
      assert.equal(m.languages.length, 100);
      assert.ok(m.languages.includes('yue'));
      assert.equal(m.context.mel.nMels, 128);
      assert.equal(m.context.tokens.noTimestamps, 50364);
      const windows: number[][] = [];
      const r = await m
        .transcribe(pcm(speech), { ...quick, mode: 'batched', onWindow: (w) => windows.push(w.tokens) })
        .result();
      assert.ok(windows.length >= 1 && windows.every((t) => t.length > 0), 'the 128-mel encoder fed the decoder');
      assert.ok(Math.abs(r.duration - speech.length / 16000) < 0.01);
    } finally {
      await m.dispose();
    }
  });
});
