/** The transcript being edited: segments with undo/redo, every change saved through the contract at once. */
import { useCallback, useRef, useState } from 'react';
import type { Segment, Transcript } from '../../../../electron/contract/api.ts';
import { call, earshot } from '../../shared/api.ts';

const MAX_UNDO = 200;

export function useEditor(initial: Transcript, onError: (e: unknown) => void) {
  const [segments, setSegments] = useState(initial.segments);
  const undo = useRef<Segment[][]>([]);
  const redo = useRef<Segment[][]>([]);
  const [, force] = useState(0);
  const saving = useRef(Promise.resolve());

  const persist = useCallback(
    (next: Segment[]) => {
      saving.current = saving.current
        .then(() => call(earshot().transcripts.updateSegments(initial.id, next)))
        .then(() => undefined)
        .catch(onError);
    },
    [initial.id, onError],
  );

  const apply = useCallback(
    (next: Segment[]) => {
      setSegments((current) => {
        undo.current = [...undo.current.slice(-MAX_UNDO + 1), current];
        redo.current = [];
        return next;
      });
      persist(next);
      force((n) => n + 1);
    },
    [persist],
  );

  const step = useCallback(
    (from: React.RefObject<Segment[][]>, to: React.RefObject<Segment[][]>) => {
      const prev = from.current.pop();
      if (!prev) return;
      setSegments((current) => {
        to.current.push(current);
        return prev;
      });
      persist(prev);
      force((n) => n + 1);
    },
    [persist],
  );

  return {
    segments,
    apply,
    undo: () => step(undo, redo),
    redo: () => step(redo, undo),
    canUndo: undo.current.length > 0,
    canRedo: redo.current.length > 0,
    saved: () => saving.current,
  };
}
