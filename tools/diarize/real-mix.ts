/**
 * A conversation made of real speakers for evaluating diarization (never for tuning or training): clips of the
 * LJ Speech reader and of the LibriVox reader in ../shared/data/speech (optionally the JFK clip as a third voice),
 * alternating, with short pauses. The reference bounds are each clip's audible part (frames within 35 dB of the
 * clip's loudest). Needs ffmpeg or the built-in decoder, like any input.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { decodeToPcm16k } from '../../electron/core/audio/index.ts';
import { seededRandom } from '../../electron/core/random.ts';
import type { Conversation, ReferenceTurn } from './conversation.ts';

const RATE = 16000;

export function speechDataDir(): string {
  return process.env.EARSHOT_SPEECH_DATA ?? path.resolve(import.meta.dirname, '../../../shared/data/speech');
}

/** The clip without its quiet ends (20 ms frames under loudest − 35 dB). */
function audible(samples: Float32Array): Float32Array {
  const frame = 320;
  const rms: number[] = [];
  for (let i = 0; i + frame <= samples.length; i += frame) {
    let e = 0;
    for (let k = i; k < i + frame; k++) e += samples[k] * samples[k];
    rms.push(Math.sqrt(e / frame));
  }
  const floor = Math.max(...rms) * 10 ** (-35 / 20);
  const first = rms.findIndex((r) => r > floor);
  let last = rms.length - 1;
  while (last > first && rms[last] <= floor) last--;
  return samples.subarray(Math.max(0, first) * frame, (last + 1) * frame);
}

export async function buildRealMix(options: { seed?: number; withJfk?: boolean } = {}): Promise<Conversation> {
  const dir = speechDataDir();
  const random = seededRandom(options.seed ?? 7);
  const list = (sub: string) =>
    readdirSync(path.join(dir, sub))
      .filter((n) => n.endsWith('.wav'))
      .sort()
      .map((n) => path.join(dir, sub, n));
  const libri = list('librivox');
  const lj = list('ljspeech').slice(0, libri.length + 1);
  const speakers: string[][] = [lj, libri];
  if (options.withJfk) speakers.push([path.join(dir, 'misc', 'jfk.flac')]);
  const queue: { file: string; speaker: number }[] = [];
  const longest = Math.max(...speakers.map((s) => s.length));
  for (let i = 0; i < longest; i++) {
    speakers.forEach((files, s) => {
      if (i < files.length) queue.push({ file: files[i], speaker: s });
    });
  }
  const pieces: Float32Array[] = [];
  const turns: ReferenceTurn[] = [];
  let at = Math.round(0.5 * RATE);
  pieces.push(new Float32Array(at));
  for (const { file, speaker } of queue) {
    const clip = audible((await decodeToPcm16k(file)).samples);
    pieces.push(clip);
    turns.push({ start: at / RATE, end: (at + clip.length) / RATE, speaker: `S${speaker}` });
    at += clip.length;
    const gap = Math.round((0.3 + random() * 0.7) * RATE);
    pieces.push(new Float32Array(gap));
    at += gap;
  }
  const samples = new Float32Array(at);
  let offset = 0;
  for (const p of pieces) {
    samples.set(p, offset);
    offset += p.length;
  }
  for (let i = 0; i < samples.length; i++) samples[i] += (random() * 2 - 1) * 0.0005;
  return { samples, turns, voices: [] };
}
