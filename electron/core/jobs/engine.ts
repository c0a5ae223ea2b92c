/**
 * The real work of one job, run inside the job worker thread: fetch (URLs), decode to 16 kHz PCM, load the model
 * (kept loaded between jobs) and transcribe, reporting each stage's progress. Everything here may block for a while,
 * which is why it never runs on the main thread.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { loadSpeechModel } from '../asr/load-model.ts';
import { decodeToPcm16k, fetchToTempFile } from '../audio/index.ts';
import type { DeviceInfo, Segment, SpeechModel } from '../asr/types.ts';
import { throwIfAborted } from '../errors.ts';
import { joinResumed, resumePoint, shiftSegment } from './resume.ts';
import type { ActiveStage, PipelineInput, PipelineOutput } from './types.ts';

export interface EngineEvents {
  signal: AbortSignal;
  stage(stage: ActiveStage, fraction: number): void;
  device(device: DeviceInfo): void;
  duration(seconds: number): void;
  segment?(segment: Segment): void;
  resume?(fromSeconds: number): void;
}

let cached: { key: string; model: SpeechModel } | undefined;

async function modelFor(input: PipelineInput): Promise<SpeechModel> {
  const { device = 'auto', threads } = input.options;
  const key = JSON.stringify([input.modelDir, device, threads ?? 0]);
  if (cached?.key === key) return cached.model;
  await cached?.model.dispose().catch(() => {});
  cached = undefined;
  const model = await loadSpeechModel(input.modelDir, { device, threads: threads || undefined });
  cached = { key, model };
  return model;
}

export async function runJob(input: PipelineInput, ev: EngineEvents): Promise<PipelineOutput> {
  let mediaPath = input.source.value;
  if (input.source.kind === 'url') {
    ev.stage('downloading', 0);
    const fetched = await fetchToTempFile(input.source.value, {
      signal: ev.signal,
      onProgress: (received, total) => ev.stage('downloading', total ? received / total : 0),
    });
    // Kept in the data folder so the transcript can play it back later.
    await fs.mkdir(input.mediaDir, { recursive: true });
    mediaPath = path.join(input.mediaDir, `${input.jobId}${mediaExtension(input.source.value)}`);
    await fs.copyFile(fetched.path, mediaPath);
    await fetched.cleanup();
  }
  throwIfAborted(ev.signal);
  ev.stage('decoding', 0);
  const pcm = await decodeToPcm16k(mediaPath, { signal: ev.signal, onProgress: (f) => ev.stage('decoding', f) });
  ev.duration(pcm.meta.duration);
  throwIfAborted(ev.signal);
  const duration = pcm.samples.length / 16000;
  // After a crash or restart, continue after the last saved segment instead of starting over.
  const from = resumePoint(input.resume, input.modelName, duration) ?? 0;
  const saved = from > 0 ? (input.resume?.segments ?? []) : [];
  if (from > 0) ev.resume?.(from);
  ev.stage('transcribing', duration > 0 ? from / duration : 0);
  const model = await modelFor(input);
  ev.device(model.device);
  const { language, task, vad, initialPrompt } = input.options;
  const run = model.transcribe(
    { samples: pcm.samples.subarray(Math.round(from * 16000)), sampleRate: 16000 },
    {
      language: language === 'auto' ? undefined : language,
      task,
      vad,
      initialPrompt,
      wordTimestamps: true,
      signal: ev.signal,
      onProgress: (f) => ev.stage('transcribing', duration > 0 ? (from + f * (duration - from)) / duration : f),
    },
  );
  // Segments stream out as they finish: the queue saves them (its checkpoint) and shows the latest as a preview.
  for await (const segment of run) ev.segment?.(shiftSegment(segment, from, saved.length));
  const rest = await run.result();
  throwIfAborted(ev.signal);
  const result = from > 0 ? joinResumed(saved, rest, from, duration) : rest;
  return { result, mediaPath };
}

function mediaExtension(url: string): string {
  try {
    const ext = path.extname(new URL(url).pathname).toLowerCase();
    return /^\.[a-z0-9]{1,5}$/.test(ext) ? ext : '.media';
  } catch {
    return '.media';
  }
}

export async function disposeEngine(): Promise<void> {
  await cached?.model.dispose().catch(() => {});
  cached = undefined;
}
