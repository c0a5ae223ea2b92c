/**
 * A windowed list for long transcripts: only the rows near the viewport are in the DOM. Row heights are measured as
 * they render (segments wrap to different heights) and estimated until then, so scrolling stays smooth with tens of
 * thousands of segments.
 */
import { type ReactNode, useCallback, useEffect, useImperativeHandle, useLayoutEffect, useRef, useState } from 'react';

export interface VirtualListHandle {
  scrollToIndex(index: number, align?: 'center' | 'start'): void;
}

interface Props {
  count: number;
  estimate?: number;
  overscan?: number;
  render(index: number): ReactNode;
  /** A stable key per row (an id): without it rows are keyed by position, so removing one row would hand its DOM
   *  element, focus included, to the next item instead of removing it. */
  itemKey?(index: number): string | number;
  label: string;
  ref?: React.Ref<VirtualListHandle>;
}

export function VirtualList({ count, estimate = 72, overscan = 6, render, itemKey, label, ref }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const heights = useRef<number[]>([]);
  const [viewport, setViewport] = useState({ top: 0, height: 600 });
  const [, bump] = useState(0);

  const heightOf = (i: number) => heights.current[i] ?? estimate;
  const offsets = (() => {
    const out = new Array<number>(count + 1);
    out[0] = 0;
    for (let i = 0; i < count; i++) out[i + 1] = out[i] + heightOf(i);
    return out;
  })();

  const findIndex = (y: number) => {
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (offsets[mid + 1] <= y) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const first = Math.max(0, findIndex(viewport.top) - overscan);
  const last = Math.min(count - 1, findIndex(viewport.top + viewport.height) + overscan);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const update = () => setViewport({ top: el.scrollTop, height: el.clientHeight });
    update();
    el.addEventListener('scroll', update, { passive: true });
    const ro = new ResizeObserver(update);
    ro.observe(el);
    return () => {
      el.removeEventListener('scroll', update);
      ro.disconnect();
    };
  }, []);

  const remeasure = useCallback((i: number, el: HTMLElement) => {
    const h = el.getBoundingClientRect().height;
    if (h > 0 && Math.abs((heights.current[i] ?? 0) - h) > 0.5) {
      heights.current[i] = h;
      bump((n) => n + 1);
    }
  }, []);
  // A row can change height on its own (a segment opened for editing): watch each rendered row.
  const rowObserver = useRef<ResizeObserver>(undefined);
  rowObserver.current ??= new ResizeObserver((entries) => {
    for (const e of entries) {
      const el = e.target as HTMLElement;
      if (el.isConnected) remeasure(Number(el.dataset.row), el);
    }
  });
  useEffect(() => () => rowObserver.current?.disconnect(), []);
  const measure = useCallback(
    (i: number, el: HTMLElement | null) => {
      if (!el) return;
      rowObserver.current?.observe(el);
      remeasure(i, el);
      // React 19 ref cleanup: stop watching a row once it leaves the window.
      return () => rowObserver.current?.unobserve(el);
    },
    [remeasure],
  );

  useImperativeHandle(ref, () => ({
    scrollToIndex(index, align = 'center') {
      const el = scroller.current;
      if (!el || index < 0 || index >= count) return;
      const top = offsets[index];
      const target = align === 'center' ? top - el.clientHeight / 2 + heightOf(index) / 2 : top - 8;
      el.scrollTo({ top: Math.max(0, target) });
    },
  }));

  useEffect(() => {
    heights.current.length = count;
  }, [count]);

  const rows: ReactNode[] = [];
  for (let i = first; i <= last && count > 0; i++) {
    rows.push(
      <li
        key={itemKey ? itemKey(i) : i}
        data-row={i}
        ref={(el) => measure(i, el)}
        style={{ position: 'absolute', top: offsets[i], left: 0, right: 0 }}
      >
        {render(i)}
      </li>,
    );
  }
  return (
    <div ref={scroller} className="vlist" tabIndex={-1}>
      <ul aria-label={label} className="vlist-rows" style={{ height: offsets[count] }}>
        {rows}
      </ul>
    </div>
  );
}
