/** The open transcript's speakers: names, colour slots that follow renames, and rename/merge as undoable edits. */
import { useCallback, useMemo, useRef } from 'react';
import type { Segment } from '../../../../electron/contract/api.ts';
import { assignColours, renameSpeaker, speakerNames } from './speakers.ts';

export function useSpeakers(segments: Segment[], apply: (next: Segment[]) => void, notify: (text: string) => void) {
  const names = useMemo(() => speakerNames(segments), [segments]);
  const colourMap = useRef<Map<string, number>>(new Map());
  const renamed = useRef<{ from: string; to: string }>(undefined);
  const colours = useMemo(() => {
    colourMap.current = assignColours(names, colourMap.current, renamed.current);
    renamed.current = undefined;
    return colourMap.current;
  }, [names]);

  const rename = useCallback(
    (from: string, to: string) => {
      const next = renameSpeaker(segments, from, to);
      if (next === segments) return;
      const merged = names.includes(to.trim());
      renamed.current = { from, to: to.trim() };
      apply(next);
      notify(
        merged
          ? `Merged ${from} into ${to.trim()} — undo with Ctrl+Z`
          : `Renamed ${from} to ${to.trim()} everywhere — undo with Ctrl+Z`,
      );
    },
    [segments, names, apply, notify],
  );

  const of = useCallback(
    (s: Segment) => (s.speaker ? { name: s.speaker, colour: colours.get(s.speaker) ?? 0 } : undefined),
    [colours],
  );
  return { names, colours, rename, of };
}
