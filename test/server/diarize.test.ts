/**
 * Diarization through a real `earshot serve` with the bundled model: `/v1/listen` with `diarize=true` answers the
 * self-hosted API's `speakers: [{speaker, text, start, end}]` (plus `speaker` on each word when `timestamps` is on),
 * `num_speakers` is honoured, and the cloud aliases (the vendor SDK's /waves/v1/stt/ included) label words and
 * utterances in their own documented forms.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildConversation, type Conversation, writeWav } from '../../tools/diarize/conversation.ts';
import { shapeProblems, TranscriptionResponse } from '../clients/smallestai-types.ts';
import { curl, issueKey, type Serve, startServe, tempDir, testModel } from './harness.ts';

const model = testModel();

describe('diarization over the HTTP API', { skip: model?.recognisesSpeech ? false : 'needs the bundled model' }, () => {
  let serve: Serve;
  let key: string;
  let wav: string;
  let three: string;
  let conversation: Conversation;
  const dir = tempDir('diarize-api');

  before(async () => {
    key = await issueKey();
    conversation = buildConversation({ seed: 321, speakers: 2, turns: 8 });
    wav = path.join(dir, 'two.wav');
    writeWav(wav, conversation.samples);
    three = path.join(dir, 'three.wav');
    writeWav(three, buildConversation({ seed: 322, speakers: 3, turns: 9 }).samples);
    serve = await startServe({ keys: [key], args: ['--model', model!.dir] });
  });
  after(async () => {
    await serve?.stop();
  });

  const auth = () => ['-H', `Authorization: Token ${key}`];
  const listen = async (file: string, fields: string[]) => {
    const form = fields.flatMap((f) => ['-F', f]);
    const r = await curl(['-X', 'POST', `${serve.url}/v1/listen`, ...auth(), '-F', `audio=@${file}`, ...form]);
    assert.equal(r.status, 200, r.body);
    return JSON.parse(r.body);
  };

  /** The cloud routes' style: the two-speaker file as raw bytes, options in the query. */
  const postRaw = async (pathAndQuery: string) => {
    const r = await curl([
      '-X',
      'POST',
      `${serve.url}${pathAndQuery}`,
      '-H',
      `Authorization: Bearer ${key}`,
      '-H',
      'Content-Type: application/octet-stream',
      '--data-binary',
      `@${wav}`,
    ]);
    assert.equal(r.status, 200, r.body);
    return JSON.parse(r.body);
  };

  test('diarize=true returns speakers[] in the reference shape, text matching the transcript', async () => {
    const body = await listen(wav, ['diarize=true']);
    assert.ok(Array.isArray(body.speakers) && body.speakers.length >= 4, JSON.stringify(body));
    for (const s of body.speakers) {
      assert.deepEqual(Object.keys(s).sort(), ['end', 'speaker', 'start', 'text']);
      assert.match(s.speaker, /^SPEAKER_\d\d$/);
      assert.ok(s.end > s.start);
    }
    assert.deepEqual([...new Set(body.speakers.map((s: { speaker: string }) => s.speaker))].sort(), [
      'SPEAKER_00',
      'SPEAKER_01',
    ]);
    // Consecutive entries are different speakers (a speaker's consecutive segments are joined).
    for (let i = 1; i < body.speakers.length; i++)
      assert.notEqual(body.speakers[i].speaker, body.speakers[i - 1].speaker);
    const squash = (t: string) => t.replace(/\s+/g, ' ').trim();
    assert.equal(squash(body.speakers.map((s: { text: string }) => s.text).join(' ')), squash(body.text));
    assert.equal(body.words, undefined, 'words only with timestamps');
  });

  test('with timestamps every word carries its speaker; the turns agree with who really spoke', async () => {
    const body = await listen(wav, ['diarize=true', 'timestamps=true']);
    assert.ok(body.words.length > 10);
    for (const w of body.words) assert.match(w.speaker, /^SPEAKER_0[01]$/);
    // Speakers are numbered by first appearance: the first reference turn is SPEAKER_00's.
    const first = conversation.turns[0];
    const early = body.words.filter((w: { start: number }) => w.start < first.end - 0.3);
    assert.ok(early.length > 0 && early.every((w: { speaker: string }) => w.speaker === 'SPEAKER_00'));
  });

  test('num_speakers is honoured', async () => {
    const two = await listen(three, ['diarize=true', 'num_speakers=2']);
    assert.equal(new Set(two.speakers.map((s: { speaker: string }) => s.speaker)).size, 2);
    const free = await listen(three, ['diarize=true']);
    assert.equal(new Set(free.speakers.map((s: { speaker: string }) => s.speaker)).size, 3);
  });

  test('silence with diarize=true: 200 with no speakers, not an error', async () => {
    const quiet = path.join(dir, 'quiet.wav');
    writeWav(quiet, new Float32Array(3 * 16000));
    const body = await listen(quiet, ['diarize=true', 'num_speakers=2', 'timestamps=true']);
    assert.deepEqual(body.speakers, []);
    assert.deepEqual(body.words, []);
    assert.equal(body.text, '');
  });

  test('without diarize the response is unchanged; a bad num_speakers is a 400', async () => {
    const plain = await listen(wav, ['timestamps=true']);
    assert.equal(plain.speakers, undefined);
    assert.equal(plain.words[0].speaker, undefined);
    const bad = await curl([
      '-X',
      'POST',
      `${serve.url}/v1/listen`,
      ...auth(),
      '-F',
      `audio=@${wav}`,
      '-F',
      'diarize=true',
      '-F',
      'num_speakers=0',
    ]);
    assert.equal(bad.status, 400);
    assert.equal(JSON.parse(bad.body).code, 'INVALID_PARAMETER');
  });

  test('cloud aliases: Lightning and /waves/v1/stt/ label "speaker_N", Pulse 0-based integers, on words and utterances', async () => {
    for (const [route, expected] of [
      ['/api/v1/lightning/get_text?', /^speaker_[01]$/],
      ['/waves/v1/pulse/get_text?', /^[01]$/],
      // The vendor's smallestai SDK: its Word and Utterance types declare `speaker` a string.
      ['/waves/v1/stt/?model=pulse&language=en&', /^speaker_[01]$/],
    ] as const) {
      const body = await postRaw(`${route}diarize=true&word_timestamps=true`);
      assert.ok(body.words.length > 0 && body.utterances.length >= 4);
      for (const w of body.words) assert.match(String(w.speaker), expected);
      for (const u of body.utterances) assert.match(String(u.speaker), expected);
      assert.equal(new Set(body.words.map((w: { speaker: unknown }) => w.speaker)).size, 2, route);
      if (route.includes('pulse/')) assert.equal(typeof body.words[0].speaker, 'number');
      if (route.includes('lightning')) assert.deepEqual(body.word_timestamps, body.words);
      if (route.includes('stt')) assert.deepEqual(shapeProblems(body, TranscriptionResponse), []);
    }
  });

  test('/waves/v1/stt/ without diarize: no speaker on any word or utterance', async () => {
    const body = await postRaw('/waves/v1/stt/?model=pulse&language=en&word_timestamps=true');
    assert.ok(body.words.length > 0);
    assert.ok([...body.words, ...body.utterances].every((x: { speaker?: unknown }) => !('speaker' in x)));
  });
});
