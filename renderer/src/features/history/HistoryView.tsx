/**
 * Every transcript ever made: search across all of them, open, rename, delete (with undo; the Trash view keeps them a
 * week). The list is windowed (only the rows in view are in the page) and paged: the window asks the core only for
 * the rows it shows (`transcripts.page`, 50 at a time), so ten thousand transcripts open as fast as ten.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { SearchHit, TranscriptSummary } from '../../../../electron/contract/api.ts';
import { call, describeError, earshot } from '../../shared/api.ts';
import { useApp } from '../../shared/app-state.tsx';
import { clock, relativeDate } from '../../shared/format.ts';
import { Icon } from '../../shared/icons.tsx';
import { useToast } from '../../shared/toast.tsx';
import { SpeakerChip, SpeakerNames } from '../speakers/SpeakerChip.tsx';
import { VirtualList } from '../transcript/VirtualList.tsx';
import { cleared, mergePage, PAGE_SIZE, type PagedRows, pageOf, withoutRow, withRow } from './paged-rows.ts';

/** A row whose page has not arrived: asks for it once shown (again when the list changed since it asked). */
function PendingRow({ index, version, need }: { index: number; version: number; need(page: number): void }) {
  const page = pageOf(index);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new version means the earlier answer was dropped
  useEffect(() => need(page), [need, page, version]);
  return (
    <div className="history-row">
      <div className="history-item" aria-busy="true" style={{ minHeight: 70 }}>
        <span className="muted small">…</span>
      </div>
    </div>
  );
}

export function HistoryView() {
  const { navigate } = useApp();
  const notify = useToast();
  const [list, setList] = useState<PagedRows>();
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<SearchHit[]>();
  const [renaming, setRenaming] = useState<string>();
  const [draft, setDraft] = useState('');
  // Pages asked for and not answered yet, by the version they were asked under.
  const asked = useRef(new Set<string>());
  const version = useRef(-1);
  version.current = list?.version ?? -1;

  const need = useCallback(
    (page: number) => {
      const key = `${version.current}:${page}`;
      if (asked.current.has(key)) return;
      asked.current.add(key);
      // While the app opens the core answers the list as last saved at once (shown), then the checked one.
      const ask = (checked: boolean): Promise<void> =>
        call(earshot().transcripts.page(page * PAGE_SIZE, PAGE_SIZE, checked)).then((p) => {
          setList((held) => mergePage(held, p));
          if (!p.checked) return ask(true);
        });
      void ask(false)
        .catch((e) => notify(describeError(e), { tone: 'error' }))
        .finally(() => asked.current.delete(key));
    },
    [notify],
  );
  // The first page on open; the others as they scroll into view.
  // biome-ignore lint/correctness/useExhaustiveDependencies: load once on open
  useEffect(() => need(0), []);
  const reload = () => setList((held) => held && cleared(held));
  useEffect(() => {
    if (!query.trim()) {
      setHits(undefined);
      return;
    }
    // An answer that arrives after the query changed (or was cleared) is dropped, never shown for the new one.
    let current = true;
    const t = setTimeout(
      () =>
        void call(earshot().transcripts.search(query)).then((found) => {
          if (current) setHits(found);
        }),
      150,
    );
    return () => {
      current = false;
      clearTimeout(t);
    };
  }, [query]);

  const remove = async (t: TranscriptSummary) => {
    try {
      await call(earshot().transcripts.remove(t.id));
      setList((held) => held && withoutRow(held, t.id));
      notify(`Deleted “${t.title}”`, {
        action: {
          label: 'Undo',
          run: () => void call(earshot().transcripts.restore(t.id)).then(reload),
        },
      });
    } catch (e) {
      notify(describeError(e), { tone: 'error' });
    }
  };

  const saveRename = async (id: string) => {
    const title = draft.trim();
    setRenaming(undefined);
    if (!title) return;
    try {
      const s = await call(earshot().transcripts.rename(id, title));
      setList((held) => held && withRow(held, id, { title: s.title }));
    } catch (e) {
      notify(describeError(e), { tone: 'error' });
    }
  };

  return (
    <div className="page history-page">
      <header className="page-head">
        <div>
          <h1>History</h1>
          <p className="muted">Every transcript is kept on this computer, with your edits.</p>
        </div>
        <button type="button" className="btn" onClick={() => navigate({ name: 'trash' })}>
          <Icon name="trash" size={16} /> Trash
        </button>
      </header>
      <div className="search-box">
        <Icon name="search" />
        <input
          type="search"
          aria-label="Search all transcripts"
          placeholder="Search all transcripts"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
      </div>
      {hits && (
        <section aria-label="Search results">
          <p className="muted small" role="status">
            {hits.length === 0 ? 'No matches.' : `${hits.length} match${hits.length === 1 ? '' : 'es'}`}
          </p>
          <ul className="hit-list">
            {hits.map((h) => (
              <li key={`${h.transcriptId}-${h.segmentId}`}>
                <button
                  type="button"
                  className="hit"
                  onClick={() => navigate({ name: 'transcript', id: h.transcriptId, seek: h.start })}
                >
                  <span className="hit-title">{h.title}</span>
                  <span className="mono small muted">{clock(h.start)}</span>
                  <span className="hit-snippet">
                    {h.speaker && <SpeakerChip name={h.speaker} small />} {h.snippet}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {!hits && list && list.total === 0 && (
        <div className="empty">
          <p className="empty-title">No transcripts yet</p>
          <p className="muted">Finished transcriptions appear here and stay until you delete them.</p>
          <button type="button" className="btn btn-primary" onClick={() => navigate({ name: 'queue' })}>
            Transcribe something
          </button>
        </div>
      )}
      {!hits && list && list.total > 0 && (
        <VirtualList
          label="Transcripts"
          count={list.total}
          itemKey={(i) => list.rows[i]?.id ?? `pending-${i}`}
          estimate={86}
          render={(i) => {
            const t: TranscriptSummary | undefined = list.rows[i];
            if (!t) return <PendingRow index={i} version={list.version} need={need} />;
            return (
              <div className="history-row">
                <div className="history-item" data-testid="history-item">
                  {renaming === t.id ? (
                    <form
                      className="rename-form"
                      onSubmit={(e) => {
                        e.preventDefault();
                        void saveRename(t.id);
                      }}
                    >
                      <input
                        aria-label="New title"
                        value={draft}
                        maxLength={500}
                        // biome-ignore lint/a11y/noAutofocus: focus moves to the field the user just asked to edit
                        autoFocus
                        onChange={(e) => setDraft(e.target.value)}
                        onKeyDown={(e) => e.key === 'Escape' && setRenaming(undefined)}
                      />
                      <button type="submit" className="btn btn-small btn-primary">
                        Save
                      </button>
                    </form>
                  ) : (
                    <button
                      type="button"
                      className="history-open"
                      onClick={() => navigate({ name: 'transcript', id: t.id })}
                    >
                      <span className="history-title">{t.title}</span>
                      <span className="history-meta muted small">
                        {relativeDate(t.createdAt)} · {clock(t.duration)} · {t.model}
                        {t.edited && <span className="badge badge-small">edited</span>}
                        {t.speakers && <SpeakerNames names={t.speakers} />}
                      </span>
                      {t.preview && <span className="history-preview">{t.preview}</span>}
                    </button>
                  )}
                  <div className="row-actions">
                    <button
                      type="button"
                      className="icon-btn"
                      aria-label={`Rename ${t.title}`}
                      onClick={() => {
                        setRenaming(t.id);
                        setDraft(t.title);
                      }}
                    >
                      <Icon name="edit" size={16} />
                    </button>
                    <button
                      type="button"
                      className="icon-btn"
                      aria-label={`Delete ${t.title}`}
                      onClick={() => remove(t)}
                    >
                      <Icon name="trash" size={16} />
                    </button>
                  </div>
                </div>
              </div>
            );
          }}
        />
      )}
    </div>
  );
}
