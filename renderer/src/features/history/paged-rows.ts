/**
 * History's rows as the window holds them: only the pages it has asked for (the rows in view), out of `total`.
 * Pages come from `transcripts.page` with the list's version; rows of two versions are never mixed (a transcript
 * added or deleted in between shifts every row after it, so mixing would show one twice or skip one).
 */
import type { TranscriptPage, TranscriptSummary } from '../../../../electron/contract/api.ts';

export const PAGE_SIZE = 50;

export interface PagedRows {
  version: number;
  total: number;
  /** Sparse: undefined where the page has not arrived yet. */
  rows: (TranscriptSummary | undefined)[];
  /** Changed here (a delete, a rename) after `version` was read: a page of that same version is older than these. */
  edited: boolean;
}

export const pageOf = (index: number): number => Math.floor(index / PAGE_SIZE);

/**
 * Adds a page to the rows held. A page of a newer version replaces them all (the list changed since: the other rows
 * are asked for again); one older than what is held arrives late and is dropped.
 */
export function mergePage(held: PagedRows | undefined, page: TranscriptPage): PagedRows {
  if (held && (page.version < held.version || (page.version === held.version && held.edited))) return held;
  const same = held && page.version === held.version && held.total === page.total;
  const rows = same ? held.rows.slice() : new Array<TranscriptSummary | undefined>(page.total);
  page.items.forEach((t, i) => {
    if (page.offset + i < rows.length) rows[page.offset + i] = t;
  });
  return { version: page.version, total: page.total, rows, edited: false };
}

/** The row deleted here leaves at once; the rows after it move up (as they will in the next page read). */
export function withoutRow(held: PagedRows, id: string): PagedRows {
  const at = held.rows.findIndex((t) => t?.id === id);
  if (at < 0) return held;
  const rows = held.rows.slice();
  rows.splice(at, 1);
  return { ...held, total: held.total - 1, rows, edited: true };
}

/** A row changed here (renamed): its place in the list does not change (History is ordered by creation time). */
export function withRow(held: PagedRows, id: string, patch: Partial<TranscriptSummary>): PagedRows {
  const at = held.rows.findIndex((t) => t?.id === id);
  if (at < 0) return held;
  const rows = held.rows.slice();
  rows[at] = { ...rows[at]!, ...patch };
  return { ...held, rows, edited: true };
}

/** Forgets every row (they are asked for again as they show), keeping the count so the scroll position stays. */
export function cleared(held: PagedRows): PagedRows {
  return { ...held, rows: new Array(held.total), edited: false };
}
