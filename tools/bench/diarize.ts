/**
 * `npm run bench:diarize`: how well and how cheaply the classical (no-model) diarizer labels speakers.
 * 1. DER (0.25 s collar) on held-out synthetic conversations (espeak-ng and flite voices, 2–4 speakers, turns of
 *    1–10 s, no overlap; seeds never used for tuning), with the number of speakers estimated and given.
 * 2. DER on real speakers: LJ Speech + LibriVox readers from ../shared/data/speech (evaluation only), and the same
 *    with the JFK clip as a third voice.
 * 3. The time diarization adds to a transcription with the bundled model: the same file (a synthetic conversation
 *    of about 10 minutes) decoded and transcribed with and without diarization alongside, each in a fresh process,
 *    alternating, best of `--runs`; target ≤ 15 % of the transcription's wall time.
 * 4. With `--long`: a 2-hour file (the conversation repeated) with and without diarization: peak RSS, wall and CPU
 *    time, and DER over the whole 2 hours.
 * Options: --conversations N (default 12), --runs N (default 2), --long, --minutes M (default 10).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { ClassicalDiarizer } from '../../electron/core/diarize/classical.ts';
import { diarizationErrorRate } from '../../electron/core/diarize/der.ts';
import type { DiarizationResult, DiarizeOptions } from '../../electron/core/diarize/types.ts';
import { buildConversation, type Conversation, type ReferenceTurn, writeWav } from '../diarize/conversation.ts';
import { buildRealMix } from '../diarize/real-mix.ts';

const { values } = parseArgs({
  options: {
    conversations: { type: 'string', default: '12' },
    runs: { type: 'string', default: '2' },
    minutes: { type: 'string', default: '10' },
    long: { type: 'boolean', default: false },
  },
});
const RATE = 16000;
const dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-bench-diarize-'));

async function diarize(samples: Float32Array, options: DiarizeOptions = {}): Promise<DiarizationResult> {
  const d = new ClassicalDiarizer(options);
  for (let i = 0; i < samples.length; i += RATE) await d.push(samples.subarray(i, i + RATE));
  return d.finish();
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

async function scoreSet(name: string, set: Conversation[]): Promise<void> {
  for (const known of [false, true]) {
    let errors = 0;
    let scored = 0;
    let rightCount = 0;
    const parts = { missed: 0, falseAlarm: 0, confusion: 0 };
    for (const c of set) {
      const truth = new Set(c.turns.map((t) => t.speaker)).size;
      const result = await diarize(c.samples, known ? { numSpeakers: truth } : {});
      const r = diarizationErrorRate(c.turns, result.turns);
      errors += r.der * r.scored;
      scored += r.scored;
      parts.missed += r.missed * r.scored;
      parts.falseAlarm += r.falseAlarm * r.scored;
      parts.confusion += r.confusion * r.scored;
      if (result.speakers.length === truth) rightCount++;
    }
    console.log(
      `${name}, speakers ${known ? 'given   ' : 'estimated'}: DER ${pct(errors / scored)} (missed ${pct(parts.missed / scored)}, ` +
        `false alarm ${pct(parts.falseAlarm / scored)}, confusion ${pct(parts.confusion / scored)}); ` +
        `right speaker count in ${rightCount}/${set.length}; ${(scored / 60).toFixed(1)} min scored`,
    );
  }
}

async function child(file: string, mode: 'plain' | 'diarize', reference?: string) {
  const args = ['--import', 'tsx', path.join(import.meta.dirname, 'diarize-child.ts'), file, mode];
  if (reference) args.push(reference);
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as {
    wallSeconds: number;
    cpuSeconds: number;
    audioSeconds: number;
    peakRssMb: number;
    speakers: number;
    der?: number;
  };
}

/** A conversation of about `minutes`, 3 speakers, repeated to last at least `totalSeconds`, as a WAV with its reference. */
function longConversation(minutes: number, totalSeconds = 0): { file: string; reference: string; seconds: number } {
  const turnsPerMinute = 9;
  const c = buildConversation({ seed: 4242, speakers: 3, turns: Math.round(minutes * turnsPerMinute) });
  const copies = Math.max(1, Math.ceil((totalSeconds * RATE) / c.samples.length));
  const samples = new Float32Array(c.samples.length * copies);
  const turns: ReferenceTurn[] = [];
  const length = c.samples.length / RATE;
  for (let k = 0; k < copies; k++) {
    samples.set(c.samples, k * c.samples.length);
    for (const t of c.turns) turns.push({ ...t, start: t.start + k * length, end: t.end + k * length });
  }
  const file = path.join(dir, `conversation-${copies}x.wav`);
  writeWav(file, samples);
  const reference = path.join(dir, `conversation-${copies}x.json`);
  writeFileSync(reference, JSON.stringify(turns));
  return { file, reference, seconds: samples.length / RATE };
}

try {
  console.log(
    `load: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${os.cpus().length} CPUs`,
  );
  const count = Number(values.conversations);
  const synthetic = Array.from({ length: count }, (_, i) =>
    buildConversation({ seed: 1000 + i, speakers: 2 + (i % 3), turns: 20 }),
  );
  await scoreSet(`synthetic (${count} conversations, 2–4 speakers)`, synthetic);
  try {
    await scoreSet('real: LJ Speech + LibriVox readers', [await buildRealMix()]);
    await scoreSet('real: LJ Speech + LibriVox + JFK', [await buildRealMix({ withJfk: true })]);
  } catch (e) {
    console.log(`real speakers skipped: ${e instanceof Error ? e.message : e}`);
  }

  const minutes = Number(values.minutes);
  const conv = longConversation(minutes);
  const best = { plain: { wall: Infinity, cpu: Infinity }, diarize: { wall: Infinity, cpu: Infinity } };
  let der = 0;
  for (let r = 0; r < Number(values.runs); r++) {
    for (const mode of ['plain', 'diarize'] as const) {
      const m = await child(conv.file, mode, mode === 'diarize' ? conv.reference : undefined);
      best[mode].wall = Math.min(best[mode].wall, m.wallSeconds);
      best[mode].cpu = Math.min(best[mode].cpu, m.cpuSeconds);
      if (mode === 'diarize') der = m.der ?? 0;
    }
  }
  const { plain, diarize: withDiarization } = best;
  console.log(
    `bundled model on ${(conv.seconds / 60).toFixed(1)} min (3 speakers), best of ${values.runs}: ` +
      `transcription ${plain.wall.toFixed(1)} s wall / ${plain.cpu.toFixed(1)} s CPU, with diarization ` +
      `${withDiarization.wall.toFixed(1)} s / ${withDiarization.cpu.toFixed(1)} s: diarization adds ` +
      `${pct((withDiarization.wall - plain.wall) / plain.wall)} of the transcription's wall time ` +
      `(${pct((withDiarization.cpu - plain.cpu) / plain.cpu)} of its CPU time; target ≤ 15 %); DER ${pct(der)}`,
  );

  if (values.long) {
    const long = longConversation(minutes, 2 * 3600);
    const a = await child(long.file, 'plain');
    const b = await child(long.file, 'diarize', long.reference);
    console.log(
      `${(long.seconds / 3600).toFixed(2)} h file: transcription ${a.wallSeconds.toFixed(0)} s wall / ${a.cpuSeconds.toFixed(0)} s CPU ` +
        `at peak RSS ${a.peakRssMb.toFixed(0)} MB; with diarization ${b.wallSeconds.toFixed(0)} s / ${b.cpuSeconds.toFixed(0)} s ` +
        `at peak RSS ${b.peakRssMb.toFixed(0)} MB (+${pct((b.cpuSeconds - a.cpuSeconds) / a.cpuSeconds)} CPU time), ` +
        `${b.speakers} speakers, DER ${pct(b.der ?? 0)}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
