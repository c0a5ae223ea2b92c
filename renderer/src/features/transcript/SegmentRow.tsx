/**
 * One segment: its timestamp (a button that seeks), its words (click one to play from there; the playing word is
 * highlighted, low-confidence words are underlined), and inline editing.
 */
import { Fragment, memo, useState } from 'react';
import type { Segment } from '../../../../electron/contract/api.ts';
import { clock } from '../../shared/format.ts';
import { Icon } from '../../shared/icons.tsx';
import { SpeakerChip } from '../speakers/SpeakerChip.tsx';

export const LOW_CONFIDENCE = 0.5;

interface Props {
  segment: Segment;
  index: number;
  activeWord: number;
  active: boolean;
  highlight?: string;
  /** The segment's speaker and colour slot, when the transcript has speakers. */
  speaker?: { name: string; colour: number };
  onSeek(t: number): void;
  onEdit(index: number, text: string): void;
}

function Highlighted({ text, query }: { text: string; query?: string }) {
  if (!query) return <>{text}</>;
  const lower = text.toLowerCase();
  const q = query.toLowerCase();
  const parts: React.ReactNode[] = [];
  let at = 0;
  for (let i = lower.indexOf(q); i >= 0; i = lower.indexOf(q, i + q.length)) {
    parts.push(text.slice(at, i), <mark key={i}>{text.slice(i, i + q.length)}</mark>);
    at = i + q.length;
  }
  parts.push(text.slice(at));
  return <>{parts}</>;
}

export const SegmentRow = memo(function SegmentRow({
  segment,
  index,
  activeWord,
  active,
  highlight,
  speaker,
  onSeek,
  onEdit,
}: Props) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const words = segment.words ?? [];
  const start = () => {
    setDraft(segment.text.trim());
    setEditing(true);
  };
  const save = () => {
    setEditing(false);
    if (draft.trim() !== segment.text.trim()) onEdit(index, draft);
  };
  return (
    <div className={`segment${active ? ' segment-active' : ''}`} data-testid="segment" data-index={index}>
      {speaker && (
        <span className="segment-speaker">
          <SpeakerChip name={speaker.name} colour={speaker.colour} />
        </span>
      )}
      <button
        type="button"
        className="timestamp mono"
        onClick={() => onSeek(segment.start)}
        aria-label={`Play from ${clock(segment.start)}`}
      >
        {clock(segment.start)}
      </button>
      {editing ? (
        <div className="segment-edit">
          <textarea
            aria-label={`Edit text at ${clock(segment.start)}`}
            value={draft}
            // biome-ignore lint/a11y/noAutofocus: the user asked to edit this segment
            autoFocus
            rows={Math.max(2, Math.ceil(draft.length / 70))}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                save();
              } else if (e.key === 'Escape') setEditing(false);
            }}
            onBlur={save}
          />
          <span className="small muted">Enter to save · Esc to cancel</span>
        </div>
      ) : (
        <p className="segment-text">
          {highlight || words.length === 0 ? (
            <Highlighted text={segment.text.trim()} query={highlight} />
          ) : (
            words.map((w, i) => {
              const low = w.confidence < LOW_CONFIDENCE;
              return (
                // biome-ignore lint/suspicious/noArrayIndexKey: words have no id; position within the segment is stable
                <Fragment key={i}>
                  {i > 0 && ' '}
                  {/* biome-ignore lint/a11y/useKeyWithClickEvents: the timestamp button is the keyboard way to seek */}
                  {/* biome-ignore lint/a11y/noStaticElementInteractions: one tab stop per segment, not per word */}
                  <span
                    className={`word${i === activeWord ? ' word-active' : ''}${low ? ' word-low' : ''}`}
                    data-testid="word"
                    data-start={w.start}
                    title={low ? `Low confidence (${Math.round(w.confidence * 100)}%) — check this word` : undefined}
                    onClick={() => onSeek(w.start)}
                  >
                    {w.word.trim()}
                  </span>
                </Fragment>
              );
            })
          )}
        </p>
      )}
      {!editing && (
        <button
          type="button"
          className="icon-btn segment-edit-btn"
          aria-label={`Edit text at ${clock(segment.start)}`}
          onClick={start}
        >
          <Icon name="edit" size={15} />
        </button>
      )}
    </div>
  );
});
