/**
 * The trash: transcripts deleted in the last week, each restorable until its purge date or deletable for good (asked
 * once more, in place, before anything is destroyed).
 */
import { useEffect, useState } from 'react';
import type { TrashedTranscript } from '../../../../electron/contract/api.ts';
import { call, describeError, earshot } from '../../shared/api.ts';
import { formatDate } from '../../shared/format.ts';
import { useApp } from '../../shared/app-state.tsx';
import { clock, relativeDate } from '../../shared/format.ts';
import { Icon } from '../../shared/icons.tsx';
import { useToast } from '../../shared/toast.tsx';
import { VirtualList } from '../transcript/VirtualList.tsx';

export function TrashView() {
  const { navigate } = useApp();
  const notify = useToast();
  const [items, setItems] = useState<TrashedTranscript[]>();
  const [confirming, setConfirming] = useState<string>();

  useEffect(() => {
    call(earshot().transcripts.listTrash())
      .then(setItems)
      .catch((e) => notify(describeError(e), { tone: 'error' }));
  }, [notify]);

  const drop = (id: string) => setItems((list) => list?.filter((x) => x.id !== id));

  const restore = async (t: TrashedTranscript) => {
    try {
      await call(earshot().transcripts.restore(t.id));
      drop(t.id);
      notify(`Restored “${t.title}” to History`, {
        action: { label: 'Open', run: () => navigate({ name: 'transcript', id: t.id }) },
      });
    } catch (e) {
      notify(describeError(e), { tone: 'error' });
    }
  };

  const deleteForever = async (t: TrashedTranscript) => {
    setConfirming(undefined);
    try {
      await call(earshot().transcripts.deleteForever(t.id));
      drop(t.id);
      notify(`Deleted “${t.title}” for good`);
    } catch (e) {
      notify(describeError(e), { tone: 'error' });
    }
  };

  return (
    <div className="page history-page">
      <header className="page-head">
        <div>
          <h1>Trash</h1>
          <p className="muted">Deleted transcripts stay here for 7 days, then they are deleted for good.</p>
        </div>
        <button type="button" className="btn" onClick={() => navigate({ name: 'history' })}>
          <Icon name="history" size={16} /> History
        </button>
      </header>
      {items && items.length === 0 && (
        <div className="empty">
          <p className="empty-title">The trash is empty</p>
          <p className="muted">Transcripts you delete from History wait here for a week.</p>
        </div>
      )}
      {items && items.length > 0 && (
        <VirtualList
          label="Deleted transcripts"
          count={items.length}
          itemKey={(i) => items[i].id}
          estimate={86}
          render={(i) => {
            const t = items[i];
            return (
              <div className="history-row">
                <div className="history-item" data-testid="trash-item">
                  <div className="trash-info">
                    <span className="history-title">{t.title}</span>
                    <span className="history-meta muted small">
                      {clock(t.duration)} · deleted {relativeDate(t.deletedAt)} · deleted for good on{' '}
                      {formatDate(t.purgeAt)}
                    </span>
                    {t.preview && <span className="history-preview">{t.preview}</span>}
                  </div>
                  {confirming === t.id ? (
                    <div className="row-actions">
                      <span className="small">Delete for good?</span>
                      <button type="button" className="btn btn-small btn-danger" onClick={() => deleteForever(t)}>
                        Delete
                      </button>
                      <button type="button" className="btn btn-small" onClick={() => setConfirming(undefined)}>
                        Keep
                      </button>
                    </div>
                  ) : (
                    <div className="row-actions">
                      <button
                        type="button"
                        className="btn btn-small"
                        aria-label={`Restore ${t.title}`}
                        onClick={() => restore(t)}
                      >
                        <Icon name="undo" size={14} /> Restore
                      </button>
                      <button
                        type="button"
                        className="btn btn-small"
                        aria-label={`Delete forever: ${t.title}`}
                        onClick={() => setConfirming(t.id)}
                      >
                        Delete forever
                      </button>
                    </div>
                  )}
                </div>
              </div>
            );
          }}
        />
      )}
    </div>
  );
}
