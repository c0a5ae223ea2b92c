import { useEffect, useState } from 'react';
import type { TranscriptSummary } from '../../../../electron/contract/api.ts';
import { call, describeError, earshot } from '../../shared/api.ts';
import { useApp } from '../../shared/app-state.tsx';
import { useToast } from '../../shared/toast.tsx';

/**
 * Recordings cut short (crash, quit, unplugged microphone, full disk) keep their audio: listed here with a way to
 * transcribe that audio again as a file, which gives the whole text rather than what was decided live.
 */
export function InterruptedRecordings({ refreshKey }: { refreshKey: unknown }) {
  const { navigate } = useApp();
  const notify = useToast();
  const [items, setItems] = useState<TranscriptSummary[]>([]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: refreshKey re-lists after each recording
  useEffect(() => {
    void call(earshot().transcripts.list())
      .then((list) => setItems(list.filter((t) => t.mediaPath && / \(interrupted\)$/.test(t.title))))
      .catch(() => setItems([]));
  }, [refreshKey]);
  if (items.length === 0) return null;
  const again = async (t: TranscriptSummary) => {
    try {
      await call(earshot().live.retranscribe(t.id));
      notify(`“${t.title}” was added to the queue`, {
        action: { label: 'Show', run: () => navigate({ name: 'queue' }) },
      });
    } catch (e) {
      notify(describeError(e), { tone: 'error' });
    }
  };
  return (
    <section aria-labelledby="interrupted-heading" className="interrupted">
      <h2 id="interrupted-heading">Interrupted recordings</h2>
      <ul>
        {items.map((t) => (
          <li key={t.id} data-testid="interrupted-recording">
            <button type="button" className="btn btn-ghost" onClick={() => navigate({ name: 'transcript', id: t.id })}>
              {t.title}
            </button>
            <button type="button" className="btn" onClick={() => void again(t)}>
              Transcribe again
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
