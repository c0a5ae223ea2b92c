/** Groups a window's words into segments: a new segment after a pause, or once a segment grows long. */
import type { Segment, Word } from '../types.ts';

export const SEGMENT_PAUSE_SECONDS = 0.7;
export const SEGMENT_MAX_SECONDS = 15;

export function segmentsFromWords(words: Word[], avgLogprob: number): Omit<Segment, 'id'>[] {
  const groups: Word[][] = [];
  for (const w of words) {
    const group = groups[groups.length - 1];
    const last = group?.[group.length - 1];
    if (group && last && w.start - last.end < SEGMENT_PAUSE_SECONDS && w.end - group[0].start <= SEGMENT_MAX_SECONDS) {
      group.push(w);
    } else {
      groups.push([w]);
    }
  }
  return groups.map((g) => ({
    start: g[0].start,
    end: g[g.length - 1].end,
    // Leading space as in Whisper's segments: the full text is the segments joined.
    text: ` ${g.map((w) => w.word).join(' ')}`,
    words: g,
    avgLogprob,
    noSpeechProb: 0,
  }));
}
