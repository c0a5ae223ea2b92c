/**
 * Local agreement: words two successive provisional transcripts of the same undecided audio agree on are settled, so
 * they can become final long before their ~5 s chunk is due. A word the model still revises (or one so close to the
 * end of the audio that the next sound may change it) is not agreed. This is the policy streaming Whisper front-ends
 * use ("LocalAgreement-2"); here it works on word timings, which both model families give.
 */
import type { Segment, Word } from '../asr/types.ts';
import { type LiveChunk, type LiveDecider, LIVE_RATE } from './decider.ts';

/** A word ending this close to the end of the audio heard so far may still be cut short by what follows. */
export const UNSETTLED_TAIL_SECONDS = 0.4;
/** Two transcripts place the same word this close (seconds) when they agree on it. */
const SAME_PLACE_SECONDS = 0.25;
/**
 * A word both transcripts place alike but spell differently ("shore", then "sure", then "shore") is settled as the
 * newer transcript has it once it ends this long (seconds) before the end of what was heard: otherwise one word the
 * model keeps flipping holds back every word after it (seen in the e2e recording: 3.7 s for a whole sentence).
 */
export const OVERDUE_SECONDS = 1;

const normalize = (word: string) =>
  word
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}']/gu, '');

/**
 * How many leading words of `current` the `previous` transcript of the same audio (same start) agrees on: same text
 * (or, once overdue, only the same place), about the same place, and ending clear of the end of what `current` heard
 * (`heardSeconds`).
 */
export function agreedWordCount(previous: readonly Word[], current: readonly Word[], heardSeconds: number): number {
  let n = 0;
  while (n < previous.length && n < current.length) {
    const a = previous[n];
    const b = current[n];
    if (Math.abs(a.start - b.start) > SAME_PLACE_SECONDS || Math.abs(a.end - b.end) > SAME_PLACE_SECONDS) break;
    if (normalize(a.word) !== normalize(b.word) && b.end > heardSeconds - OVERDUE_SECONDS) break;
    if (b.end > heardSeconds - UNSETTLED_TAIL_SECONDS) break;
    n++;
  }
  return n;
}

/**
 * Where to cut the audio after the first `count` agreed words (seconds from its start): the middle of the gap to the
 * next word, or a little after the last agreed word when nothing follows it yet.
 */
export function cutAfterAgreed(words: readonly Word[], count: number, heardSeconds: number): number {
  const last = words[count - 1];
  const next = words[count];
  if (next) return Math.max(last.end, (last.end + next.start) / 2);
  return Math.min(last.end + 0.15, (last.end + heardSeconds) / 2);
}

/** Silence both transcripts agree on is decided (as a chunk without text) once it is this long (seconds). */
export const SILENCE_SECONDS = 1;
/** …leaving this much before the first word (or the end of what was heard) undecided. */
const SILENCE_MARGIN_SECONDS = 0.3;

/**
 * Where the silence both transcripts agree on ends (seconds from their start), when it is long enough to decide: so
 * a pause (or the quiet before the first word) never fills the undecided audio until a chunk is forced through the
 * next words. Undefined when there is none to decide.
 */
export function agreedSilence(
  previous: readonly Word[],
  current: readonly Word[],
  heardSeconds: number,
): number | undefined {
  const quietUntil = Math.min(
    previous[0] ? previous[0].start : Number.POSITIVE_INFINITY,
    current[0] ? current[0].start : Number.POSITIVE_INFINITY,
    heardSeconds,
  );
  const cut = quietUntil - SILENCE_MARGIN_SECONDS;
  return cut >= SILENCE_SECONDS ? cut : undefined;
}

/** Pieces closer than this (seconds) belong to one phrase of the saved transcript. */
const PHRASE_GAP_SECONDS = 0.5;
/** A saved segment grows to at most this long (seconds), like a file transcript's. */
const PHRASE_MAX_SECONDS = 12;

/**
 * Agreement makes a few words final at a time; the saved transcript joins those pieces back into phrases (split at
 * pauses, sentence ends and a length limit) so editing, search and subtitles see segments like a file transcript's.
 */
export function joinLivePieces(pieces: readonly Segment[]): Segment[] {
  const out: Segment[] = [];
  for (const piece of pieces) {
    const last = out[out.length - 1];
    const joins =
      last &&
      piece.start - last.end < PHRASE_GAP_SECONDS &&
      piece.end - last.start <= PHRASE_MAX_SECONDS &&
      !/[.?!。？！]\s*$/.test(last.text) &&
      last.speaker === piece.speaker;
    if (!joins) {
      out.push({ ...piece, id: out.length });
      continue;
    }
    const a = last.end - last.start;
    const b = piece.end - piece.start;
    out[out.length - 1] = {
      ...last,
      end: piece.end,
      text: `${last.text.trimEnd()} ${piece.text.trim()}`,
      words: last.words || piece.words ? [...(last.words ?? []), ...(piece.words ?? [])] : undefined,
      // Duration-weighted, as the model's own per-segment figures are per frame or token.
      avgLogprob: a + b > 0 ? (last.avgLogprob * a + piece.avgLogprob * b) / (a + b) : last.avgLogprob,
      noSpeechProb: Math.min(last.noSpeechProb, piece.noSpeechProb),
    };
  }
  return out;
}

/** Agreed words made final: the audio they cover (taken from the decider) and what the model heard after them. */
export interface Settled {
  /** The decided audio (stream samples). */
  decided: LiveChunk;
  /** The agreed segments, in seconds from `decided.from`. */
  segments: Segment[];
  /** The segments after the cut, in seconds from `decided.to`: the next provisional text. */
  rest: Segment[];
}

/**
 * The agreement step every live face runs after a provisional transcript (the desktop's microphone and the server's
 * WebSocket stream): it remembers the last provisional words and, when the new ones agree on a prefix, decides that
 * audio at once.
 */
export class LocalAgreement {
  /** The words of the last provisional transcript and the stream sample it started at. */
  private previous?: { from: number; words: Word[] };

  /**
   * After a provisional transcript of `chunk` (taken with `takeInterim`, transcribed with word timings): the agreed
   * words, or undefined when none are agreed yet.
   */
  settle(decider: LiveDecider, chunk: LiveChunk, segments: Segment[]): Settled | undefined {
    const heard = chunk.samples.length / LIVE_RATE;
    const words = segments.flatMap((s) => s.words ?? []);
    const previous = this.previous?.from === chunk.from ? this.previous.words : undefined;
    this.previous = { from: chunk.from, words };
    // Only while nothing was decided during the model run is the transcript still about the undecided audio's start.
    if (!previous || decider.decidedSamples !== chunk.from) return undefined;
    const agreed = agreedWordCount(previous, words, heard);
    const cut = agreed > 0 ? cutAfterAgreed(words, agreed, heard) : agreedSilence(previous, words, heard);
    if (cut === undefined) return undefined;
    const decided = decider.takeFirst(Math.round(cut * LIVE_RATE));
    const rest = segmentsAfter(segments, decided.samples.length / LIVE_RATE);
    // What the model heard after the cut is the transcript the next one is compared with.
    this.previous = { from: decided.to, words: rest.flatMap((s) => s.words ?? []) };
    return { decided, segments: segmentsBefore(segments, cut), rest };
  }
}

/** The segments with only their words that end before `cut` (a segment left without words goes). */
export function segmentsBefore(segments: Segment[], cut: number): Segment[] {
  const out: Segment[] = [];
  for (const s of segments) {
    if (!s.words) {
      if (s.end <= cut) out.push(s);
      continue;
    }
    const words = s.words.filter((w) => w.end <= cut);
    if (words.length === 0) continue;
    if (words.length === s.words.length) out.push(s);
    else
      out.push({
        ...s,
        words,
        end: words[words.length - 1].end,
        text: ` ${words.map((w) => w.word.trim()).join(' ')}`,
      });
  }
  return out;
}

/** The segments' words that start after `cut`, re-timed from the cut. */
function segmentsAfter(segments: Segment[], cut: number): Segment[] {
  const out: Segment[] = [];
  for (const s of segments) {
    const words = (s.words ?? []).filter((w) => w.start >= cut);
    if (words.length === 0) continue;
    out.push({
      ...s,
      words: words.map((w) => ({ ...w, start: w.start - cut, end: w.end - cut })),
      start: words[0].start - cut,
      end: words[words.length - 1].end - cut,
      text: ` ${words.map((w) => w.word.trim()).join(' ')}`,
    });
  }
  return out;
}
