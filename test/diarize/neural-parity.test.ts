/**
 * The neural diarization models against the reference, transformers.js, on the same folders (seeded random-weight
 * fixtures in the public layouts, tools/fixtures/make_diarization_fixtures.py): pyannote segmentation scores and
 * `post_process_speaker_diarization` identical; WeSpeaker fbank features and embeddings within 1e-4. Then the whole
 * neural diarizer runs on them (random weights: the labels mean nothing, the structure must hold).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { before, test } from 'node:test';
import { ArraySource } from '../../electron/core/asr/pcm-source.ts';
import { createDiarizer, diarizeSource } from '../../electron/core/diarize/index.ts';
import { PyannoteSegmenter } from '../../electron/core/diarize/models/pyannote.ts';
import { WespeakerEmbedder } from '../../electron/core/diarize/models/wespeaker.ts';
import { buildConversation } from '../../tools/diarize/conversation.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/models');
const SEGMENTATION = 'pyannote-segmentation-random';
const EMBEDDING = 'wespeaker-resnet-random';
const SR = 16000;

type Transformers = typeof import('@huggingface/transformers');
let t: Transformers;
const inputs: { name: string; audio: Float32Array }[] = [];

before(async () => {
  t = await import('@huggingface/transformers');
  t.env.allowRemoteModels = false;
  t.env.allowLocalModels = true;
  t.env.localModelPath = `${FIXTURES}/`;
  const conversation = buildConversation({ seed: 331, speakers: 2, turns: 4, maxTurnSeconds: 4 }).samples;
  let noise = 1;
  inputs.push(
    { name: 'conversation, 10 s', audio: conversation.slice(0, 10 * SR) },
    { name: 'conversation, 3.7 s', audio: conversation.slice(2 * SR, Math.round(5.7 * SR)) },
    {
      name: 'noise, 10 s',
      audio: Float32Array.from({ length: 10 * SR }, () => {
        noise = (noise * 16807) % 2147483647;
        return (noise / 2147483647 - 0.5) * 0.2;
      }),
    },
    { name: 'silence, 1 s', audio: new Float32Array(SR) },
  );
});

test('segmentation scores and post_process_speaker_diarization are identical to transformers.js', async () => {
  const ours = await PyannoteSegmenter.load(path.join(FIXTURES, SEGMENTATION));
  const model = await t.AutoModelForAudioFrameClassification.from_pretrained(SEGMENTATION, { dtype: 'fp32' });
  const processor = await t.AutoProcessor.from_pretrained(SEGMENTATION);
  const classesSeen = new Set<number>();
  try {
    for (const { name, audio } of inputs) {
      const theirs = (await model(await processor(audio))) as { logits: { data: Float32Array; dims: number[] } };
      const scores = await ours.scores(audio);
      assert.deepEqual([1, scores.frames, 7], theirs.logits.dims, name);
      assert.deepEqual(scores.data, theirs.logits.data, `${name}: scores`);
      const post = ours.postProcess(scores, audio.length);
      const post_process = processor as unknown as {
        post_process_speaker_diarization(logits: unknown, samples: number): unknown[][];
      };
      const reference = post_process.post_process_speaker_diarization(theirs.logits, audio.length)[0];
      assert.deepEqual(post, reference, `${name}: post-processing`);
      for (const s of post) classesSeen.add(s.id);
    }
  } finally {
    await ours.dispose();
    await model.dispose();
  }
  // The comparison means something only if the decisions vary.
  assert.ok(classesSeen.size >= 2, `classes seen: ${[...classesSeen]}`);
});

test('WeSpeaker fbank features and embeddings are within 1e-4 of transformers.js', async () => {
  const ours = await WespeakerEmbedder.load(path.join(FIXTURES, EMBEDDING));
  const extractor = await t.AutoFeatureExtractor.from_pretrained(EMBEDDING);
  const model = await t.AutoModel.from_pretrained(EMBEDDING, { dtype: 'fp32' });
  const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    assert.equal(a.length, b.length);
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m;
  };
  try {
    for (const { name, audio } of [...inputs, { name: '3 samples', audio: new Float32Array([0.1, -0.2, 0.3]) }]) {
      const { input_features } = (await extractor(audio)) as { input_features: InstanceType<Transformers['Tensor']> };
      const features = ours.fbank.compute(audio);
      assert.deepEqual([1, features.frames, 80], input_features.dims, name);
      const fDiff = maxDiff(features.data, input_features.data as Float32Array);
      assert.ok(fDiff <= 1e-4, `${name}: fbank differs by ${fDiff}`);
      const theirs = (await model({ feats: input_features })) as { embs: { data: Float32Array } };
      const embedding = await ours.embed(audio);
      const eDiff = maxDiff(embedding, theirs.embs.data);
      assert.ok(eDiff <= 1e-4, `${name}: embedding differs by ${eDiff}`);
      assert.equal(embedding.length, 256);
    }
  } finally {
    await ours.dispose();
    await model.dispose();
  }
});

test('the neural diarizer runs end to end on the fixtures: ordered turns, labels, the count honoured', async () => {
  const audio = buildConversation({ seed: 332, speakers: 3, turns: 10 }).samples;
  const models = { segmentation: path.join(FIXTURES, SEGMENTATION), embedding: path.join(FIXTURES, EMBEDDING) };
  for (const numSpeakers of [undefined, 2]) {
    const result = await diarizeSource(new ArraySource(audio), await createDiarizer({ models, numSpeakers }));
    assert.equal(result.method, 'neural');
    assert.equal(result.approximate, false);
    assert.ok(Math.abs(result.duration - audio.length / SR) < 1e-6);
    assert.ok(result.turns.length > 0);
    for (let i = 0; i < result.turns.length; i++) {
      const turn = result.turns[i];
      assert.ok(turn.end > turn.start && turn.end <= audio.length / SR + 0.05);
      if (i > 0) assert.ok(turn.start >= result.turns[i - 1].end, 'no overlap');
    }
    assert.deepEqual(result.speakers, [...new Set(result.turns.map((x) => x.speaker))]);
    if (numSpeakers) assert.ok(result.speakers.length <= numSpeakers);
  }
});

test('a folder of the wrong kind is refused with the exact problem', async () => {
  await assert.rejects(
    PyannoteSegmenter.load(path.join(FIXTURES, EMBEDDING)),
    /is not a usable segmentation model:\n- not a pyannote segmentation model/,
  );
  await assert.rejects(
    WespeakerEmbedder.load(path.join(FIXTURES, 'whisper-tiny-random')),
    /is not a usable speaker-embedding model:\n- config.json: model_type must be "pyannote" or "wespeaker-resnet" \(found "whisper"\)/,
  );
});
