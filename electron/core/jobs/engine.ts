/**
 * The real work of one job, run inside the job worker thread: fetch (URLs), decode to 16 kHz PCM while the model
 * (kept loaded between jobs) transcribes it, reporting each stage's progress. Everything here may block for a while,
 * which is why it never runs on the main thread.
 */
import { loadSpeechModel } from '../asr/load-model.ts';
import { decodeStream, fetchToTempFile } from '../audio/index.ts';
import { untilFinished } from '../asr/metered.ts';
import type { SpeechModel } from '../asr/types.ts';
import { transcribeAlongside } from '../diarize/alongside.ts';
import { createDiarizer, friendly, friendlySpeakerNames, summary } from '../diarize/index.ts';
import { throwIfAborted } from '../errors.ts';
import { jobMediaPath, keepDownload } from './job-media.ts';
import { joinResumed, resumePoint, shiftSegment } from './resume.ts';
import type { PipelineCallbacks, PipelineInput, PipelineOutput } from './types.ts';

let cached: { key: string; model: SpeechModel } | undefined;
/** Models this worker has loaded (a model asked for again while loaded is not counted). */
let loads = 0;

export function modelLoads(): number {
  return loads;
}

function modelFor(input: PipelineInput): Promise<SpeechModel> {
  return cachedModel(input.modelDir, input.options.device ?? 'auto', input.options.threads);
}

/** The worker's one loaded model (the server's model threads load theirs through here too). */
export async function cachedModel(
  modelDir: string,
  device: 'auto' | 'cpu' | 'gpu',
  threads: number | undefined,
): Promise<SpeechModel> {
  const key = JSON.stringify([modelDir, device, threads ?? 0]);
  if (cached?.key === key) return cached.model;
  await cached?.model.dispose().catch(() => {});
  cached = undefined;
  const model = await loadSpeechModel(modelDir, { device, threads: threads || undefined });
  loads++;
  cached = { key, model };
  return model;
}

export async function runJob(input: PipelineInput, ev: PipelineCallbacks): Promise<PipelineOutput> {
  let mediaPath = input.source.value;
  if (input.source.kind === 'url') {
    ev.onStage('downloading', 0);
    const fetched = await fetchToTempFile(input.source.value, {
      signal: ev.signal,
      onProgress: (received, total) => ev.onStage('downloading', total ? received / total : 0),
    });
    // Kept in the data folder so the transcript can play it back later.
    mediaPath = jobMediaPath(input.mediaDir, input.jobId, input.source.value);
    await keepDownload(fetched, mediaPath);
  }
  throwIfAborted(ev.signal);
  ev.onStage('decoding', 0);
  // The decoder's chunks go straight to the model, so a multi-hour file costs a few minutes of audio in memory.
  const stream = await decodeStream(mediaPath, { signal: ev.signal });
  const audio = untilFinished(stream, ev.finish);
  try {
    // The container's duration: exact for most files, an estimate for some (it only drives progress and the
    // checkpoint's same-media check, which compares it with the same estimate).
    const duration = stream.meta.duration;
    ev.onDuration(duration);
    throwIfAborted(ev.signal);
    // After a crash or restart, continue after the last saved segment instead of starting over.
    const from = resumePoint(input.resume, input.modelName, duration) ?? 0;
    const saved = from > 0 ? (input.resume?.segments ?? []) : [];
    if (from > 0) ev.onResume?.(from);
    ev.onStage('transcribing', duration > 0 ? from / duration : 0);
    const model = await modelFor(input);
    ev.onDevice(model.device);
    const { language, task, vad, initialPrompt } = input.options;
    const options = {
      language: language === 'auto' ? undefined : language,
      task,
      vad,
      initialPrompt,
      wordTimestamps: true,
      signal: ev.signal,
      durationHint: duration - from,
      onProgress: (f: number) =>
        ev.onStage('transcribing', duration > 0 ? (from + f * (duration - from)) / duration : f),
    };
    // With speakers, the diarizer reads the same decode beside the model, the already transcribed start of a resumed
    // job included (speakers are labelled over the whole recording once it is done).
    const diarized = input.diarization
      ? transcribeAlongside(
          model,
          audio,
          options,
          await createDiarizer({
            ...input.diarization,
            signal: ev.signal,
            threads: input.options.threads || undefined,
          }),
          from,
        )
      : undefined;
    const run = diarized?.run ?? model.transcribeStream(skipSamples(audio, Math.round(from * 16000)), options);
    // Segments stream out as they finish: the queue saves them (its checkpoint) and shows the latest as a preview.
    for await (const segment of run) ev.onSegment?.(shiftSegment(segment, from, saved.length));
    const rest = await run.result();
    throwIfAborted(ev.signal);
    const total = from + rest.duration;
    ev.onDuration(total);
    const result = from > 0 ? joinResumed(saved, rest, from, total) : rest;
    if (!diarized) return { result, mediaPath };
    const { result: labelled, diarization } = await diarized.label(result);
    const speakers = { ...summary(diarization), speakers: diarization.speakers.map(friendly) };
    return {
      result: { ...labelled, segments: friendlySpeakerNames(labelled.segments), diarization: speakers },
      mediaPath,
    };
  } finally {
    await stream.close();
  }
}

/** The stream without its first `count` samples (the part a resumed job has already transcribed). */
async function* skipSamples(chunks: AsyncIterable<Float32Array>, count: number): AsyncGenerator<Float32Array> {
  let left = count;
  for await (const chunk of chunks) {
    if (left >= chunk.length) {
      left -= chunk.length;
      continue;
    }
    yield left > 0 ? chunk.subarray(left) : chunk;
    left = 0;
  }
}

export async function disposeEngine(): Promise<void> {
  await cached?.model.dispose().catch(() => {});
  cached = undefined;
}
