/**
 * Speaker edits on a transcript's segments. A speaker is its name on the segments (and their words), so renaming
 * and merging are ordinary segment edits: saved at once, undone with Ctrl+Z, carried into every export.
 */
import type { Segment } from '../../../../electron/contract/api.ts';

export const MAX_SPEAKER_NAME = 200;
/** Distinct speaker colours (speakers.css); more speakers than this reuse them in order. */
export const SPEAKER_COLOURS = 8;

/** Names in order of first appearance. */
export function speakerNames(segments: Segment[]): string[] {
  const seen = new Set<string>();
  for (const s of segments) if (s.speaker) seen.add(s.speaker);
  return [...seen];
}

/**
 * Every segment and word of `from` becomes `to`. When `to` is already a speaker, the two are merged. Returns the
 * segments unchanged (same array) when nothing would change.
 */
export function renameSpeaker(segments: Segment[], from: string, to: string): Segment[] {
  const name = to.trim();
  if (!name || name === from) return segments;
  if (!segments.some((s) => s.speaker === from)) return segments;
  return segments.map((s) =>
    s.speaker === from
      ? {
          ...s,
          speaker: name,
          words: s.words?.map((w) => (w.speaker === from || w.speaker === undefined ? { ...w, speaker: name } : w)),
        }
      : s,
  );
}

/** Why a new name cannot be used, or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  const clean = name.trim();
  if (!clean) return 'A speaker needs a name';
  if (clean.length > MAX_SPEAKER_NAME) return `At most ${MAX_SPEAKER_NAME} characters`;
  return undefined;
}

/**
 * Colour slots that stay with a speaker through renames: known names keep theirs; a name seen for the first time
 * takes the slot of the name it replaced (passed as `renamed`), else the next free slot.
 */
export function assignColours(
  names: string[],
  previous: ReadonlyMap<string, number>,
  renamed?: { from: string; to: string },
): Map<string, number> {
  const out = new Map(previous);
  if (renamed && !out.has(renamed.to) && out.has(renamed.from)) out.set(renamed.to, out.get(renamed.from)!);
  for (const n of names) {
    if (!out.has(n)) out.set(n, out.size % SPEAKER_COLOURS);
  }
  return out;
}
