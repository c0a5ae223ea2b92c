/**
 * Parity with the reference (transformers.js) on the same model folders: log-mel features, tokenizer ids, and the
 * greedy token ids of whole windows with and without timestamps, for speech, silence, noise and 45 s of audio
 * decoded window by window in sequential mode. Random weights make arbitrary tokens, which is the point: any
 * difference in features, filters or cache handling changes them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadWhisperModel, type WhisperModel } from '../../electron/core/asr/whisper/index.ts';
import { melFilterBank } from '../../electron/core/asr/whisper/mel.ts';
import { searchWindows } from '../../electron/core/asr/whisper/search.ts';
import { buildPrefix } from '../../electron/core/asr/whisper/transcriber.ts';
import {
  ENGLISH,
  espeak,
  MULTILINGUAL,
  missingTimestampRules,
  npzFilters,
  reference,
  seededNoise,
  toLength,
  V3,
} from './whisper-helpers.ts';

const MAX_NEW = 24;

interface Oracle {
  features(audio: Float32Array): Promise<Float32Array>;
  generate(audio: Float32Array, timestamps: boolean, maxNew?: number): Promise<number[]>;
  tokenizer: { encode(text: string, o: object): number[]; decode(ids: number[], o: object): string };
}

async function oracle(dir: string, multilingual: boolean, ours: WhisperModel): Promise<Oracle> {
  const t = await reference();
  const name = dir.split('/').pop() as string;
  const model = await t.WhisperForConditionalGeneration.from_pretrained(name, { dtype: 'fp32' });
  const processor = await t.AutoProcessor.from_pretrained(name);
  const tokenizer = await t.AutoTokenizer.from_pretrained(name);
  const { tokens, generation } = ours.context;
  return {
    tokenizer: tokenizer as unknown as Oracle['tokenizer'],
    async features(audio) {
      const { input_features } = await processor(audio);
      return input_features.data as Float32Array;
    },
    async generate(audio, timestamps, maxNew = MAX_NEW) {
      const { input_features } = await processor(audio);
      const initTokens = multilingual ? (timestamps ? 3 : 4) : timestamps ? 1 : 2;
      const out = await model.generate({
        inputs: input_features,
        ...(multilingual ? { language: 'en', task: 'transcribe' } : {}),
        return_timestamps: timestamps,
        max_new_tokens: maxNew,
        logits_processor: timestamps
          ? await missingTimestampRules(initTokens, tokens.timestampBegin, generation.maxInitialTimestampIndex ?? 50)
          : null,
      } as never);
      const ids = (out as { tolist(): bigint[][] }).tolist()[0].map(Number);
      return ids[ids.length - 1] === tokens.eot ? ids.slice(0, -1) : ids;
    },
  };
}

async function ourTokens(model: WhisperModel, audio: Float32Array, timestamps: boolean): Promise<number[]> {
  const ctx = model.context;
  const { prefix, sotIndex } = buildPrefix(
    ctx,
    model.languages.length > 1 ? 'en' : undefined,
    'transcribe',
    timestamps,
  );
  const hidden = await ctx.sessions.encode(ctx.mel.window(audio), 1);
  const [dec] = await searchWindows(ctx.sessions, hidden, 1, {
    filters: { tokens: ctx.tokens, generation: ctx.generation, timestamps },
    prefix,
    sotIndex,
    maxNewTokens: MAX_NEW,
    temperature: 0,
    beamSize: 1,
  });
  return [...prefix, ...dec.tokens];
}

const speech = espeak('The quick brown fox jumps over the lazy dog. Whisper should hear every word of this sentence.');
const inputs: [string, Float32Array][] = [
  ['speech', speech],
  ['silence', new Float32Array(16000 * 5)],
  ['noise', seededNoise(8)],
];

for (const [label, dir, multilingual] of [
  ['multilingual 80-mel', MULTILINGUAL, true],
  ['English-only', ENGLISH, false],
  ['128-mel (large-v3 layout)', V3, true],
] as const) {
  describe(`Whisper parity with transformers.js: ${label}`, () => {
    let model: WhisperModel;
    let ref: Oracle;
    before(async () => {
      model = await loadWhisperModel(dir, { device: 'cpu', threads: 1 });
      ref = await oracle(dir, multilingual, model);
    });
    after(async () => model.dispose());

    test('log-mel features within 1e-4 of the reference', async () => {
      for (const [, audio] of inputs) {
        const ours = model.context.mel.window(audio);
        const theirs = await ref.features(audio);
        assert.equal(ours.length, theirs.length);
        let worst = 0;
        for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
        assert.ok(worst < 1e-4, `max difference ${worst}`);
      }
    });

    const cases = label.startsWith('multilingual') ? inputs : inputs.slice(0, 1);
    for (const [name, audio] of cases) {
      for (const timestamps of [false, true]) {
        test(`greedy ids identical: ${name}, timestamps ${timestamps ? 'on' : 'off'}`, async () => {
          const ours = await ourTokens(model, audio, timestamps);
          const theirs = await ref.generate(audio, timestamps);
          assert.ok(ours.length > 4, 'decoded something');
          assert.deepEqual(ours, theirs);
        });
      }
    }

    if (label.startsWith('multilingual')) {
      test('45 s audio in sequential mode: every window identical to the reference on that window', async () => {
        const long = toLength(speech, 45);
        const windows: { startSample: number; samples: number; prefix: number[]; tokens: number[] }[] = [];
        const result = await model
          .transcribe(
            { samples: long, sampleRate: 16000 },
            {
              mode: 'sequential',
              language: 'en',
              maxNewTokens: MAX_NEW,
              temperatureFallback: false,
              repetitionGuard: false,
              onWindow: (w) => windows.push(w),
            },
          )
          .result();
        assert.ok(windows.length >= 2, `45 s needs at least two windows (got ${windows.length})`);
        assert.equal(windows[0].startSample, 0);
        for (const w of windows) {
          const theirs = await ref.generate(long.subarray(w.startSample, w.startSample + w.samples), true);
          assert.deepEqual([...w.prefix, ...w.tokens], theirs, `window at ${w.startSample / 16000}s`);
        }
        assert.ok(result.segments.length > 0);
        assert.equal(result.duration, 45);
      });

      test('tokenizer round-trips the reference ids for multilingual text', () => {
        const texts = [
          ' Hello world, this is a test.',
          ' Größenordnung über Straße – ça coûte 12,50 €.',
          ' 東京は日本の首都です。',
          ' Привет, как дела?',
          ' مرحبا بالعالم',
          ' emoji 🎉 and tabs\tand  double  spaces',
        ];
        const tok = model.context.tokenizer;
        for (const text of texts) {
          const theirs = ref.tokenizer.encode(text, { add_special_tokens: false });
          assert.deepEqual(tok.encode(text), theirs, text);
          assert.equal(tok.decode(theirs), ref.tokenizer.decode(theirs, { skip_special_tokens: true }));
          assert.equal(tok.decode(theirs), text);
        }
      });
    }
  });
}

test('mel filterbank within 1e-4 of Whisper mel_filters.npz (80 and 128)', () => {
  for (const n of [80, 128] as const) {
    const ours = melFilterBank(n);
    const theirs = npzFilters(`mel_${n}`);
    assert.equal(ours.length, theirs.length);
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
    assert.ok(worst < 1e-4, `mel_${n}: max difference ${worst}`);
  }
});
