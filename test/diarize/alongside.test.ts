/**
 * Diarization beside a real transcription (the bundled CTC model) over one stream of chunks: the transcriber reports
 * the speech its VAD found as contiguous spans (so the diarizer need not run the VAD again), every word and segment
 * gets a speaker, and the labels agree with who really spoke.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadSpeechModel } from '../../electron/core/asr/load-model.ts';
import type { SpeechModel } from '../../electron/core/asr/types.ts';
import { transcribeAlongside } from '../../electron/core/diarize/alongside.ts';
import { diarizationErrorRate } from '../../electron/core/diarize/der.ts';
import { createDiarizer } from '../../electron/core/diarize/index.ts';
import { bundledModelsDir } from '../../electron/core/paths.ts';
import { buildConversation, type Conversation } from '../../tools/diarize/conversation.ts';
import { demoModelAvailable } from '../app/fixtures.ts';

let model: SpeechModel;
let conversation: Conversation;

async function* chunks(samples: Float32Array, size = 12_345): AsyncGenerator<Float32Array> {
  for (let i = 0; i < samples.length; i += size) yield samples.slice(i, i + size);
}

before(async () => {
  if (!demoModelAvailable()) return;
  model = await loadSpeechModel(path.join(bundledModelsDir(), 'demo-en'), { device: 'cpu', threads: 1 });
  conversation = buildConversation({ seed: 361, speakers: 3, turns: 10 });
});
after(() => model?.dispose());

test('the transcriber reports its VAD as contiguous spans; the diarizer labels every word', {
  skip: !demoModelAvailable(),
}, async () => {
  const spans: { from: number; to: number; regions: { start: number; end: number }[] }[] = [];
  const { run, label } = transcribeAlongside(
    model,
    chunks(conversation.samples),
    { wordTimestamps: true, onSpeech: (s) => spans.push(s) },
    await createDiarizer(),
  );
  const { result, diarization } = await label(await run.result());
  const duration = conversation.samples.length / 16000;
  assert.ok(spans.length > 0, 'spans were reported');
  assert.equal(spans[0].from, 0);
  for (let i = 1; i < spans.length; i++) assert.ok(Math.abs(spans[i].from - spans[i - 1].to) < 1e-9, 'contiguous');
  assert.ok(Math.abs(spans.at(-1)!.to - duration) < 0.01, 'to the end');
  for (const s of spans) for (const r of s.regions) assert.ok(r.start >= s.from - 1e-9 && r.end <= s.to + 1e-9);

  assert.equal(diarization.speakers.length, 3);
  assert.ok(diarizationErrorRate(conversation.turns, diarization.turns).der <= 0.15);
  assert.deepEqual(result.diarization?.speakers, diarization.speakers);
  for (const s of result.segments) {
    assert.match(s.speaker ?? '', /^SPEAKER_0[012]$/);
    for (const w of s.words ?? []) assert.equal(w.speaker, s.speaker);
  }
});
