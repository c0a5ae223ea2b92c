/**
 * Every transcript ever made: search across all of them, open, rename, delete (with undo; the Trash view keeps them a
 * week). The list is windowed (only the rows in view are in the page), so ten thousand transcripts open as fast as ten.
 */
import { useEffect, useState } from 'react';
import type { SearchHit, TranscriptSummary } from '../../../../electron/contract/api.ts';
import { call, describeError, earshot } from '../../shared/api.ts';
import { useApp } from '../../shared/app-state.tsx';
import { clock, relativeDate } from '../../shared/format.ts';
import { Icon } from '../../shared/icons.tsx';
import { useToast } from '../../shared/toast.tsx';
import { SpeakerChip, SpeakerNames } from '../speakers/SpeakerChip.tsx';
import { VirtualList } from '../transcript/VirtualList.tsx';

export function HistoryView() {
  const { navigate } = useApp();
  const notify = useToast();
  const [items, setItems] = useState<TranscriptSummary[]>();
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<SearchHit[]>();
  const [renaming, setRenaming] = useState<string>();
  const [draft, setDraft] = useState('');

  const load = () => call(earshot().transcripts.list()).then(setItems);
  // biome-ignore lint/correctness/useExhaustiveDependencies: load once on open
  useEffect(() => {
    void load();
  }, []);
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
      setItems((list) => list?.filter((x) => x.id !== t.id));
      notify(`Deleted “${t.title}”`, {
        action: {
          label: 'Undo',
          run: () => void call(earshot().transcripts.restore(t.id)).then(load),
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
      setItems((list) => list?.map((x) => (x.id === id ? { ...x, title: s.title } : x)));
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
      {!hits && items && items.length === 0 && (
        <div className="empty">
          <p className="empty-title">No transcripts yet</p>
          <p className="muted">Finished transcriptions appear here and stay until you delete them.</p>
          <button type="button" className="btn btn-primary" onClick={() => navigate({ name: 'queue' })}>
            Transcribe something
          </button>
        </div>
      )}
      {!hits && items && items.length > 0 && (
        <VirtualList
          label="Transcripts"
          count={items.length}
          itemKey={(i) => items[i].id}
          estimate={86}
          render={(i) => {
            const t = items[i];
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
