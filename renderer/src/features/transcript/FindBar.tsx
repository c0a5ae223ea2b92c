/**
 * Find (highlights every match, the current one distinctly, jumps between them) and replace (one or all, undoable
 * like any edit). Whole words is on by default so that replacing "in" never rewrites "Printing".
 */
import { useLayoutEffect, useRef } from 'react';
import { Icon } from '../../shared/icons.tsx';

interface Props {
  query: string;
  replacement: string;
  count: number;
  current: number;
  wholeWord: boolean;
  matchCase: boolean;
  onOptions(o: { wholeWord: boolean; matchCase: boolean }): void;
  onQuery(q: string): void;
  onReplacement(r: string): void;
  onNext(): void;
  onPrev(): void;
  onReplaceOne(): void;
  onReplaceAll(): void;
  onClose(): void;
}

export function FindBar(p: Props) {
  const input = useRef<HTMLInputElement>(null);
  // Before the bar is painted, so the first keys typed after Ctrl+F land in the field (a layout effect, not an effect).
  useLayoutEffect(() => input.current?.focus(), []);
  return (
    <search className="findbar" aria-label="Find and replace">
      <input
        ref={input}
        type="search"
        aria-label="Find in transcript"
        placeholder="Find"
        value={p.query}
        onChange={(e) => p.onQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') (e.shiftKey ? p.onPrev : p.onNext)();
          if (e.key === 'Escape') p.onClose();
        }}
      />
      <span className="small muted find-count" role="status">
        {p.query ? (p.count ? `${p.current + 1} of ${p.count}` : 'No matches') : ''}
      </span>
      <button type="button" className="icon-btn" aria-label="Previous match" onClick={p.onPrev} disabled={!p.count}>
        ↑
      </button>
      <button type="button" className="icon-btn" aria-label="Next match" onClick={p.onNext} disabled={!p.count}>
        ↓
      </button>
      <label className="find-option small">
        <input
          type="checkbox"
          checked={p.wholeWord}
          onChange={(e) => p.onOptions({ wholeWord: e.target.checked, matchCase: p.matchCase })}
        />{' '}
        Whole words
      </label>
      <label className="find-option small">
        <input
          type="checkbox"
          checked={p.matchCase}
          onChange={(e) => p.onOptions({ wholeWord: p.wholeWord, matchCase: e.target.checked })}
        />{' '}
        Match case
      </label>
      <input
        type="text"
        aria-label="Replace with"
        placeholder="Replace with"
        value={p.replacement}
        onChange={(e) => p.onReplacement(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && p.onClose()}
      />
      <button type="button" className="btn btn-small" onClick={p.onReplaceOne} disabled={!p.count}>
        Replace
      </button>
      <button type="button" className="btn btn-small" onClick={p.onReplaceAll} disabled={!p.count}>
        Replace all
      </button>
      <button type="button" className="icon-btn" aria-label="Close find" onClick={p.onClose}>
        <Icon name="x" size={16} />
      </button>
    </search>
  );
}
