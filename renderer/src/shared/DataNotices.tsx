/**
 * Data files that could not be used at start (damaged, or written by a newer version): the app started anyway with
 * that part reset, and says so here until the user dismisses each notice. See README "When a data file is damaged".
 */
import { useEffect, useState } from 'react';
import type { DataNotice } from '../../../electron/contract/api.ts';
import { call, earshot } from './api.ts';
import { Icon } from './icons.tsx';

export function DataNotices() {
  const [notices, setNotices] = useState<DataNotice[]>([]);
  useEffect(() => {
    call(earshot().system.notices())
      .then(setNotices)
      .catch(() => {});
  }, []);
  if (notices.length === 0) return null;
  const dismiss = (id: string) => {
    setNotices((n) => n.filter((x) => x.id !== id));
    void earshot().system.dismissNotice(id);
  };
  return (
    <div className="data-notices" data-testid="data-notices">
      {notices.map((n) => (
        <div key={n.id} className="callout callout-warn" role="alert">
          <Icon name="alert" />
          <div className="callout-body">{n.message}</div>
          <button type="button" className="btn btn-ghost btn-small" onClick={() => dismiss(n.id)}>
            Dismiss
          </button>
        </div>
      ))}
    </div>
  );
}
