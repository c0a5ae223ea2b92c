/**
 * One segment: its timestamp (a button that seeks), its words (click one to play from there; the playing word is
 * highlighted, low-confidence words are underlined), and inline editing.
 */
import { Fragment, memo, useEffect, useRef, useState } from 'react';
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
  /** Find matches in this segment's text; the current one is drawn differently. */
  marks?: Mark[];
  /** The segment's speaker and colour slot, when the transcript has speakers. */
  speaker?: { name: string; colour: number };
  onSeek(t: number): void;
  onEdit(index: number, text: string): void;
  /** Structure edits (from the row's edit mode): the text as typed so far comes along. */
  onSplit?(index: number, text: string, at: number): void;
  onMerge?(index: number, text: string): void;
  onDelete?(index: number): void;
  /** Present when the segment differs from what the model recognised. */
  onRevert?(index: number): void;
  /** The word to draw as "being checked" (stepping through low-confidence words). */
  focusWord?: number;
}

export interface Mark {
  index: number;
  length: number;
  current: boolean;
}

/** The text with its matches marked (offsets are into `segment.text`, as find computed them). */
function Highlighted({ text, marks }: { text: string; marks?: Mark[] }) {
  if (!marks?.length) return <>{text}</>;
  const parts: React.ReactNode[] = [];
  let at = 0;
  for (const m of marks) {
    parts.push(
      text.slice(at, m.index),
      <mark
        key={m.index}
        className={m.current ? 'mark-current' : undefined}
        aria-current={m.current ? 'true' : undefined}
        data-testid={m.current ? 'current-match' : undefined}
      >
        {text.slice(m.index, m.index + m.length)}
      </mark>,
    );
    at = m.index + m.length;
  }
  parts.push(text.slice(at));
  return <>{parts}</>;
}

export const SegmentRow = memo(function SegmentRow({
  segment,
  index,
  activeWord,
  active,
  marks,
  speaker,
  onSeek,
  onEdit,
  onSplit,
  onMerge,
  onDelete,
  onRevert,
  focusWord = -1,
}: Props) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const words = segment.words ?? [];
  const start = () => {
    closed.current = false;
    setDraft(segment.text.trim());
    setEditing(true);
  };
  const save = () => {
    // Once per edit: a blur after a structure edit (or after unmounting) must not write the old draft back.
    if (!editing || closed.current) return;
    closed.current = true;
    setEditing(false);
    if (draft.trim() !== segment.text.trim()) onEdit(index, draft);
  };
  const closed = useRef(false);
  // An edit in progress is saved when the row goes away without a blur: a menu shortcut (Ctrl+1/2/3, Ctrl+,) changed
  // screens, or the list scrolled the row out. Nothing typed is lost.
  const pending = useRef<(() => void) | undefined>(undefined);
  pending.current = editing ? save : undefined;
  useEffect(() => () => pending.current?.(), []);
  const box = useRef<HTMLTextAreaElement>(null);
  // A structure edit replaces the row's text itself: leave edit mode without saving the draft separately.
  const structural = (fn: () => void) => () => {
    pending.current = undefined;
    closed.current = true;
    setEditing(false);
    fn();
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
        // Saved when the focus leaves the edit area (not when it moves to the tools below the text).
        // biome-ignore lint/a11y/noStaticElementInteractions: focusout of the area, not an interaction of its own
        <div
          className="segment-edit"
          onBlur={(e) => {
            if (!e.currentTarget.contains(e.relatedTarget as Node | null)) save();
          }}
        >
          <textarea
            ref={box}
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
              } else if (e.key === 'Escape') {
                closed.current = true;
                setEditing(false);
              }
            }}
          />
          <span className="small muted">Enter to save · Esc to cancel</span>
          {/* onMouseDown preventDefault: the textarea keeps focus (its blur would save and close first). */}
          <div className="segment-tools">
            {onSplit && (
              <button
                type="button"
                className="btn btn-small"
                onMouseDown={(e) => e.preventDefault()}
                onClick={structural(() => onSplit(index, draft, box.current?.selectionStart ?? draft.length))}
              >
                Split at cursor
              </button>
            )}
            {onMerge && (
              <button
                type="button"
                className="btn btn-small"
                onMouseDown={(e) => e.preventDefault()}
                onClick={structural(() => onMerge(index, draft))}
              >
                Merge with next
              </button>
            )}
            {onRevert && (
              <button
                type="button"
                className="btn btn-small"
                onMouseDown={(e) => e.preventDefault()}
                onClick={structural(() => onRevert(index))}
              >
                Revert to recognised text
              </button>
            )}
            {onDelete && (
              <button
                type="button"
                className="btn btn-small btn-danger-ghost"
                onMouseDown={(e) => e.preventDefault()}
                onClick={structural(() => onDelete(index))}
              >
                Delete segment
              </button>
            )}
          </div>
        </div>
      ) : (
        <p className="segment-text">
          {marks || words.length === 0 ? (
            <Highlighted text={segment.text} marks={marks} />
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
                    className={`word${i === activeWord ? ' word-active' : ''}${low ? ' word-low' : ''}${i === focusWord ? ' word-focus' : ''}`}
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
