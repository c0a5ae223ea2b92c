/**
 * Synthetic conversations for measuring diarization: 2–4 speakers drawn from espeak-ng and flite voices take turns of
 * 1–10 s with short pauses and no overlap. The reference ("who spoke when") is exact because each turn is synthesised
 * on its own; its bounds are the turn's audible samples. Seeded: the same seed gives the same conversation.
 * Developer tooling for tests and benchmarks, never part of the app. Needs espeak-ng, flite and sox on PATH.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seededRandom } from '../../electron/core/random.ts';

const RATE = 16000;

export interface Voice {
  engine: 'espeak' | 'flite';
  /** espeak-ng voice (language+variant) or flite voice name. */
  name: string;
  /** espeak-ng pitch 0–99 / flite mean F0 in Hz. */
  pitch: number;
  /** espeak-ng words per minute / flite duration stretch. */
  speed: number;
}

/** Voices that differ in engine, variant and pitch the way different people do; a conversation draws from these. */
export const VOICES: Voice[] = [
  { engine: 'espeak', name: 'en-us+m3', pitch: 35, speed: 165 },
  { engine: 'espeak', name: 'en+f3', pitch: 70, speed: 175 },
  { engine: 'espeak', name: 'en-gb-scotland+m1', pitch: 45, speed: 150 },
  { engine: 'espeak', name: 'en-us+f2', pitch: 60, speed: 185 },
  { engine: 'espeak', name: 'en-029+klatt3', pitch: 25, speed: 160 },
  { engine: 'flite', name: 'kal', pitch: 105, speed: 1 },
  { engine: 'flite', name: 'awb', pitch: 120, speed: 1.05 },
  { engine: 'flite', name: 'rms', pitch: 95, speed: 0.95 },
  { engine: 'flite', name: 'slt', pitch: 180, speed: 1 },
];

const SENTENCES = [
  'The meeting starts at nine and we should have the numbers ready before then',
  'I looked at the report last night and most of it makes sense to me',
  'Could you send me the latest version of the slides when you have a moment',
  'We moved the launch to the end of the month because the tests were not finished',
  'The weather on the coast was cold and windy for most of the week',
  'She said the library opens early on weekdays and closes late on Fridays',
  'Our team fixed three bugs yesterday and found two more this morning',
  'Please remember to bring the signed forms to the front desk',
  'The train was twenty minutes late so I missed the first talk',
  'I think the new design is cleaner but the buttons are too small',
  'Let us take a short break and come back to the budget after lunch',
  'He plays the piano every evening and practises scales for an hour',
  'The garden needs water every day while the summer lasts',
  'We counted the boxes twice and one of them is still missing',
  'A good map and a warm coat are all you need for that walk',
  'The kitchen was painted yellow and the floor was made of old oak',
  'They asked whether the museum would stay open during the holidays',
  'My brother builds small boats in a shed behind his house',
  'The printer on the second floor has run out of paper again',
  'We should write down every question the customers ask this week',
  'The river rose after the storm and flooded the lower fields',
  'If the server goes down tonight someone has to restart it by hand',
  'Her first novel was about a lighthouse keeper and his daughter',
  'The price of coffee went up again and nobody seems surprised',
];

export interface ReferenceTurn {
  start: number;
  end: number;
  speaker: string;
}

export interface Conversation {
  samples: Float32Array;
  /** Ground truth, in time order, never overlapping. */
  turns: ReferenceTurn[];
  voices: Voice[];
}

export interface ConversationOptions {
  seed: number;
  speakers: number;
  turns: number;
  minTurnSeconds?: number;
  maxTurnSeconds?: number;
  /** Pause between turns, seconds (uniform in the range). */
  gap?: [number, number];
  /** White noise added everywhere (amplitude), so silence is not digital zero. */
  noise?: number;
}

/** 16 kHz mono float samples of `text` in `voice` (sox resamples the synthesiser's output). */
export function synthesize(voice: Voice, text: string, dir: string): Float32Array {
  const wav = path.join(dir, 'turn.wav');
  if (voice.engine === 'espeak') {
    execFileSync('espeak-ng', [
      '-v',
      voice.name,
      '-p',
      String(voice.pitch),
      '-s',
      String(voice.speed),
      '-w',
      wav,
      text,
    ]);
  } else {
    execFileSync('flite', [
      '-voice',
      voice.name,
      '--setf',
      `int_f0_target_mean=${voice.pitch}`,
      '--setf',
      `duration_stretch=${voice.speed}`,
      '-t',
      text,
      '-o',
      wav,
    ]);
  }
  const raw = execFileSync(
    'sox',
    ['-V1', wav, '-t', 'raw', '-e', 'floating-point', '-b', '32', '-r', String(RATE), '-c', '1', '-'],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4).slice();
}

/** The audible part: from the first to the last sample above -50 dBFS. */
export function trimSilence(samples: Float32Array, threshold = 0.003): Float32Array {
  let a = 0;
  let b = samples.length;
  while (a < b && Math.abs(samples[a]) < threshold) a++;
  while (b > a && Math.abs(samples[b - 1]) < threshold) b--;
  return samples.subarray(a, b);
}

export function buildConversation(options: ConversationOptions): Conversation {
  const random = seededRandom(options.seed);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  const minTurn = options.minTurnSeconds ?? 1;
  const maxTurn = options.maxTurnSeconds ?? 10;
  const [gapMin, gapMax] = options.gap ?? [0.2, 1.2];
  const pool = [...VOICES];
  const voices: Voice[] = [];
  while (voices.length < options.speakers) voices.push(...pool.splice(Math.floor(random() * pool.length), 1));

  const dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-conv-'));
  const pieces: Float32Array[] = [];
  const turns: ReferenceTurn[] = [];
  let at = Math.round((0.3 + random() * 0.7) * RATE);
  let previous = -1;
  pieces.push(new Float32Array(at));
  try {
    for (let t = 0; t < options.turns; t++) {
      // Every speaker talks at least once; after that, anyone but the one who just spoke.
      let who = t < options.speakers ? t : Math.floor(random() * options.speakers);
      if (who === previous) who = (who + 1 + Math.floor(random() * (options.speakers - 1))) % options.speakers;
      previous = who;
      const target = minTurn + random() * (maxTurn - minTurn);
      const words = pick(SENTENCES).split(' ').concat(pick(SENTENCES).split(' '), pick(SENTENCES).split(' '));
      let count = Math.max(2, Math.round(target * 2.6));
      let audio = trimSilence(synthesize(voices[who], words.slice(0, count).join(' '), dir));
      // Adjust the text once if the voice speaks much faster or slower than the guess.
      const seconds = audio.length / RATE;
      if (seconds > maxTurn || seconds < minTurn) {
        count = Math.max(1, Math.min(words.length, Math.round((count * target) / Math.max(0.3, seconds))));
        audio = trimSilence(synthesize(voices[who], words.slice(0, count).join(' '), dir));
      }
      if (audio.length > maxTurn * RATE) audio = trimSilence(audio.subarray(0, maxTurn * RATE));
      while (audio.length < minTurn * RATE && count < words.length) {
        count += 2;
        audio = trimSilence(synthesize(voices[who], words.slice(0, count).join(' '), dir));
      }
      pieces.push(audio);
      turns.push({ start: at / RATE, end: (at + audio.length) / RATE, speaker: `S${who}` });
      at += audio.length;
      const gap = Math.round((gapMin + random() * (gapMax - gapMin)) * RATE);
      pieces.push(new Float32Array(gap));
      at += gap;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const samples = new Float32Array(at);
  let offset = 0;
  for (const p of pieces) {
    samples.set(p, offset);
    offset += p.length;
  }
  const noise = options.noise ?? 0.001;
  if (noise > 0) for (let i = 0; i < samples.length; i++) samples[i] += (random() * 2 - 1) * noise;
  return { samples, turns, voices };
}

/** 16-bit mono 16 kHz WAV of `samples` (sox writes the header). */
export function writeWav(file: string, samples: Float32Array): void {
  const raw = `${file}.f32`;
  writeFileSync(raw, new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
  try {
    execFileSync('sox', [
      '-V1',
      '-t',
      'raw',
      '-e',
      'floating-point',
      '-b',
      '32',
      '-r',
      String(RATE),
      '-c',
      '1',
      raw,
      '-b',
      '16',
      file,
    ]);
  } finally {
    rmSync(raw, { force: true });
  }
}
