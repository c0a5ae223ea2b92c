/** Find (highlights every match, jumps between them) and replace (one or all, undoable like any edit). */
import { useEffect, useRef } from 'react';
import { Icon } from '../../shared/icons.tsx';

interface Props {
  query: string;
  replacement: string;
  count: number;
  current: number;
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
  useEffect(() => input.current?.focus(), []);
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
