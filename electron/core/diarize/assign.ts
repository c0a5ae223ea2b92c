/**
 * Speaker labels onto a transcript, by time overlap: each word gets the speaker whose turn covers most of it (the
 * nearest turn when none does: words run a little past the VAD's edges); a segment whose words change speaker is
 * split there, so every segment has exactly one speaker; a segment without words takes the speaker covering most of
 * it. Also the views the API returns: consecutive same-speaker segments as utterances.
 */
import type { Segment, Word } from '../asr/types.ts';
import type { SpeakerTurn } from './types.ts';

/** The speaker of [start, end): most overlap, else the nearest turn; undefined when there are no turns. */
export function speakerAt(turns: SpeakerTurn[], start: number, end: number): string | undefined {
  let best: string | undefined;
  let bestOverlap = 0;
  let nearest: string | undefined;
  let nearestGap = Number.POSITIVE_INFINITY;
  // Turns are sorted: binary search for the first that may overlap, then walk.
  let lo = 0;
  let hi = turns.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (turns[mid].end <= start) lo = mid + 1;
    else hi = mid;
  }
  for (let i = Math.max(0, lo - 1); i < turns.length && turns[i].start < end + nearestGap; i++) {
    const t = turns[i];
    const overlap = Math.min(end, t.end) - Math.max(start, t.start);
    if (overlap > bestOverlap) {
      bestOverlap = overlap;
      best = t.speaker;
    }
    const gap = Math.max(0, t.start - end, start - t.end);
    if (gap < nearestGap) {
      nearestGap = gap;
      nearest = t.speaker;
    }
  }
  return best ?? nearest;
}

export function labelSegments(segments: Segment[], turns: SpeakerTurn[]): Segment[] {
  if (turns.length === 0) return segments.map((s) => ({ ...s }));
  const out: Omit<Segment, 'id'>[] = [];
  for (const s of segments) {
    if (!s.words?.length) {
      out.push({ ...s, speaker: speakerAt(turns, s.start, s.end) });
      continue;
    }
    const words: Word[] = s.words.map((w) => ({ ...w, speaker: speakerAt(turns, w.start, w.end) }));
    const runs: Word[][] = [];
    for (const w of words) {
      const run = runs[runs.length - 1];
      if (run && run[0].speaker === w.speaker) run.push(w);
      else runs.push([w]);
    }
    if (runs.length === 1) {
      out.push({ ...s, words, speaker: words[0].speaker });
      continue;
    }
    for (const run of runs) {
      out.push({
        ...s,
        start: run[0].start,
        end: run[run.length - 1].end,
        // The same leading-space convention as the engines' segments.
        text: ` ${run.map((w) => w.word).join(' ')}`,
        words: run,
        speaker: run[0].speaker,
      });
    }
  }
  return out.map((s, id) => ({ ...s, id }));
}

export interface Utterance {
  speaker: string;
  text: string;
  start: number;
  end: number;
}

/** Consecutive segments of one speaker joined (the self-hosted API's `speakers[]`). */
export function speakerUtterances(segments: Segment[]): Utterance[] {
  const out: Utterance[] = [];
  for (const s of segments) {
    const text = s.text.trim();
    if (!text || !s.speaker) continue;
    const last = out[out.length - 1];
    if (last && last.speaker === s.speaker) {
      last.text = `${last.text} ${text}`;
      last.end = s.end;
    } else out.push({ speaker: s.speaker, text, start: s.start, end: s.end });
  }
  return out;
}

/** Speaker names in order of first appearance. */
export function speakersOf(segments: Segment[]): string[] {
  const seen = new Set<string>();
  for (const s of segments) if (s.speaker) seen.add(s.speaker);
  return [...seen];
}

export function friendly<T extends string | undefined>(label: T): T {
  const n = label ? /^SPEAKER_(\d+)$/.exec(label)?.[1] : undefined;
  return (n === undefined ? label : `Speaker ${Number(n) + 1}`) as T;
}

/**
 * The desktop's labels: `SPEAKER_00` becomes "Speaker 1" and so on (words too), names people read and rename; the
 * API and CLI keep the reference's `SPEAKER_NN`.
 */
export function friendlySpeakerNames(segments: Segment[]): Segment[] {
  return segments.map((s) => ({
    ...s,
    ...(s.speaker ? { speaker: friendly(s.speaker) } : {}),
    ...(s.words ? { words: s.words.map((w) => (w.speaker ? { ...w, speaker: friendly(w.speaker) } : w)) } : {}),
  }));
}
