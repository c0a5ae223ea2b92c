import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Transcript } from '../../../../electron/contract/api.ts';
import { call, describeError, earshot } from '../../shared/api.ts';
import { useApp } from '../../shared/app-state.tsx';
import { clock, relativeDate } from '../../shared/format.ts';
import { Icon } from '../../shared/icons.tsx';
import { useToast } from '../../shared/toast.tsx';
import {
  deleteSegment,
  findMatches,
  lowConfidenceWords,
  mergeWithNext,
  replaceAll,
  replaceOne,
  retext,
  revertSegment,
  splitSegment,
  wordAt,
} from './edit.ts';
import { ExportMenu } from './ExportMenu.tsx';
import { FindBar } from './FindBar.tsx';
import { Player, type PlayerHandle } from './Player.tsx';
import { LOW_CONFIDENCE, type Mark, SegmentRow } from './SegmentRow.tsx';
import { useEditor } from './useEditor.ts';
import { SpeakersBar } from '../speakers/SpeakersBar.tsx';
import { useSpeakers } from '../speakers/useSpeakers.ts';
import { VirtualList, type VirtualListHandle } from './VirtualList.tsx';

const VIDEO_EXT = /\.(mp4|m4v|mov|mkv|webm|avi)$/i;

export function TranscriptView({ id, seek }: { id: string; seek?: number }) {
  const notify = useToast();
  const [t, setT] = useState<Transcript>();
  const [media, setMedia] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  useEffect(() => {
    call(earshot().transcripts.get(id))
      .then(setT)
      .catch((e) => setError(describeError(e)));
    call(earshot().transcripts.mediaUrl(id))
      .then(setMedia)
      .catch(() => setMedia(null));
  }, [id]);
  if (error) {
    return (
      <div className="page">
        <div className="callout callout-error" role="alert">
          {error}
        </div>
      </div>
    );
  }
  if (!t)
    return (
      <div className="page muted" aria-busy="true">
        Loading transcript…
      </div>
    );
  return <Editor transcript={t} media={media} seek={seek} notify={notify} />;
}

function Editor({
  transcript,
  media,
  seek,
  notify,
}: {
  transcript: Transcript;
  media: string | null;
  seek?: number;
  notify: ReturnType<typeof useToast>;
}) {
  const { navigate } = useApp();
  const onError = useCallback((e: unknown) => notify(describeError(e), { tone: 'error' }), [notify]);
  const ed = useEditor(transcript, onError);
  const player = useRef<PlayerHandle>(null);
  const list = useRef<VirtualListHandle>(null);
  const [time, setTime] = useState(seek ?? 0);
  const [follow, setFollow] = useState(true);
  // Follow playback steps aside while the user scrolls the transcript themselves, until they ask for it back.
  const [followPaused, setFollowPaused] = useState(false);
  const [loop, setLoop] = useState<{ start: number; end: number }>();
  const [shortcuts, setShortcuts] = useState(false);
  const [title, setTitle] = useState(transcript.title);
  const [finding, setFinding] = useState(false);
  const [query, setQuery] = useState('');
  const [replacement, setReplacement] = useState('');
  const [matchIndex, setMatchIndex] = useState(0);
  const [findOptions, setFindOptions] = useState({ wholeWord: true, matchCase: false });
  const speakers = useSpeakers(ed.segments, ed.apply, notify);

  const playing = useMemo(() => wordAt(ed.segments, time), [ed.segments, time]);
  const matches = useMemo(
    () => (finding ? findMatches(ed.segments, query, findOptions) : []),
    [finding, ed.segments, query, findOptions],
  );
  const current = Math.min(matchIndex, Math.max(0, matches.length - 1));
  // Per segment, its matches (the same array for every render until the matches change, for the memoised rows).
  const marks = useMemo(() => {
    const by = new Map<number, Mark[]>();
    matches.forEach((m, i) => {
      const list = by.get(m.segment) ?? [];
      list.push({ index: m.index, length: m.length, current: i === current });
      by.set(m.segment, list);
    });
    return by;
  }, [matches, current]);
  const low = useMemo(() => lowConfidenceWords(ed.segments, LOW_CONFIDENCE), [ed.segments]);
  const lowCount = low.length;
  const [lowAt, setLowAt] = useState(-1);
  const checking = lowAt >= 0 ? low[Math.min(lowAt, low.length - 1)] : undefined;
  // Until the first edit, the segments on screen are the recognised ones.
  const recognised = transcript.recognised ?? transcript.segments;
  const stepLow = (delta: number) => {
    if (!low.length) return;
    const next = lowAt < 0 ? (delta > 0 ? 0 : low.length - 1) : (lowAt + delta + low.length) % low.length;
    setLowAt(next);
    const [si, wi] = low[next];
    list.current?.scrollToIndex(si);
    const w = ed.segments[si].words?.[wi];
    if (w) player.current?.seek(w.start, false);
  };

  // Choosing a place to play also brings Follow playback back.
  const onSeek = useCallback((at: number) => {
    setFollowPaused(false);
    player.current?.seek(at);
  }, []);
  const onEdit = useCallback(
    (index: number, text: string) => ed.apply(ed.segments.map((s, i) => (i === index ? retext(s, text) : s))),
    [ed],
  );
  // Structure edits first take the text as typed so far, so nothing typed is lost.
  const typed = (index: number, text: string) =>
    text.trim() === ed.segments[index].text.trim()
      ? ed.segments
      : ed.segments.map((s, i) => (i === index ? retext(s, text) : s));
  const onSplit = (index: number, text: string, at: number) =>
    ed.apply(splitSegment(typed(index, text), index, at, recognised));
  const onMerge = (index: number, text: string) => ed.apply(mergeWithNext(typed(index, text), index));
  const onDelete = (index: number) => {
    ed.apply(deleteSegment(ed.segments, index));
    notify('Segment deleted — undo with Ctrl+Z');
  };
  const onRevert = (index: number) => ed.apply(revertSegment(ed.segments, index, recognised));
  const differs = (index: number) => {
    const s = ed.segments[index];
    const o = recognised.find((r) => r.id === s.id);
    return Boolean(o && (o.text.trim() !== s.text.trim() || o.start !== s.start || o.end !== s.end));
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll to the search hit once, when the view opens
  useEffect(() => {
    if (seek !== undefined) {
      const hit = wordAt(ed.segments, seek);
      if (hit) list.current?.scrollToIndex(hit[0]);
    }
  }, []);
  useEffect(() => {
    if (follow && !followPaused && playing) list.current?.scrollToIndex(playing[0]);
  }, [follow, followPaused, playing?.[0]]);
  // Loop: back to the segment's start whenever playback passes its end.
  useEffect(() => {
    if (loop && time >= loop.end) player.current?.seek(loop.start);
  }, [loop, time]);
  const userScroll = () => {
    if (follow) setFollowPaused(true);
  };
  useEffect(() => {
    const m = matches[matchIndex];
    if (m) list.current?.scrollToIndex(m.segment);
  }, [matches, matchIndex]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const inField = (e.target as HTMLElement).closest('input, textarea');
      if (mod && e.key.toLowerCase() === 'f') {
        e.preventDefault();
        setFinding(true);
      } else if (mod && e.key.toLowerCase() === 'z' && !inField) {
        e.preventDefault();
        (e.shiftKey ? ed.redo : ed.undo)();
      } else if (mod && e.key.toLowerCase() === 'y' && !inField) {
        e.preventDefault();
        ed.redo();
      } else if (e.key === ' ' && e.ctrlKey) {
        e.preventDefault();
        player.current?.toggle();
      } else if (e.altKey && !inField && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')) {
        e.preventDefault();
        player.current?.skip(e.key === 'ArrowLeft' ? -5 : 5);
      } else if (e.key === '?' && !inField) {
        e.preventDefault();
        setShortcuts(true);
      }
    };
    // Capture phase: the editor's Ctrl+Z runs before (and instead of) the app-wide Undo of a notice.
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [ed]);

  const saveTitle = async () => {
    const clean = title.trim();
    if (!clean || clean === transcript.title) return setTitle(transcript.title);
    try {
      await call(earshot().transcripts.rename(transcript.id, clean));
    } catch (e) {
      onError(e);
    }
  };

  return (
    <div className="page transcript-page">
      <header className="transcript-head">
        <button type="button" className="btn btn-ghost btn-small" onClick={() => navigate({ name: 'history' })}>
          <Icon name="back" size={16} /> History
        </button>
        <div className="transcript-title">
          <h1 className="sr-only">{title}</h1>
          <input
            className="title-input"
            aria-label="Transcript title"
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            onBlur={saveTitle}
            onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
          />
          <p className="muted small">
            {relativeDate(transcript.createdAt)} · {clock(transcript.duration)} · {transcript.language} ·{' '}
            {transcript.model}
            {transcript.device && <> · {transcript.device.label}</>}
            {lowCount > 0 && (
              <>
                {' '}
                · <span className="word-low">{lowCount} low-confidence words</span>{' '}
                <span className="low-steps">
                  <button
                    type="button"
                    className="btn btn-ghost btn-small"
                    aria-label="Previous low-confidence word"
                    onClick={() => stepLow(-1)}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    className="btn btn-ghost btn-small"
                    aria-label="Next low-confidence word"
                    onClick={() => stepLow(1)}
                  >
                    ↓
                  </button>
                  {checking && (
                    <span role="status" data-testid="low-position">
                      {Math.min(lowAt, low.length - 1) + 1} of {lowCount}
                    </span>
                  )}
                </span>
              </>
            )}
          </p>
        </div>
        <div className="toolbar">
          <button type="button" className="icon-btn" aria-label="Undo edit" disabled={!ed.canUndo} onClick={ed.undo}>
            <Icon name="undo" />
          </button>
          <button type="button" className="icon-btn" aria-label="Redo edit" disabled={!ed.canRedo} onClick={ed.redo}>
            <Icon name="redo" />
          </button>
          <button
            type="button"
            className="icon-btn"
            aria-label="Find and replace"
            onClick={() => setFinding((f) => !f)}
          >
            <Icon name="search" />
          </button>
          <ExportMenu id={transcript.id} beforeExport={ed.saved} />
        </div>
      </header>
      <div className="player-bar">
        <Player
          ref={player}
          src={media}
          video={VIDEO_EXT.test(transcript.mediaPath ?? '')}
          start={seek}
          onTime={setTime}
        />
        <label className="follow">
          <input
            type="checkbox"
            checked={follow}
            onChange={(e) => {
              setFollow(e.target.checked);
              setFollowPaused(false);
            }}
          />{' '}
          Follow playback
        </label>
        {follow && followPaused && (
          <button
            type="button"
            className="btn btn-small"
            data-testid="follow-resume"
            onClick={() => {
              setFollowPaused(false);
              if (playing) list.current?.scrollToIndex(playing[0]);
            }}
          >
            Paused while you scroll — back to playback
          </button>
        )}
        <button
          type="button"
          className="btn btn-ghost btn-small"
          aria-pressed={loop !== undefined}
          disabled={!media || (!loop && !playing)}
          onClick={() => {
            if (loop) return setLoop(undefined);
            const seg = playing && ed.segments[playing[0]];
            if (seg) setLoop({ start: seg.start, end: seg.end });
          }}
        >
          {loop ? 'Stop looping' : 'Loop segment'}
        </button>
        <button type="button" className="btn btn-ghost btn-small" onClick={() => setShortcuts(true)}>
          Shortcuts
        </button>
      </div>
      {shortcuts && <ShortcutSheet onClose={() => setShortcuts(false)} />}
      {finding && (
        <FindBar
          query={query}
          replacement={replacement}
          count={matches.length}
          current={current}
          wholeWord={findOptions.wholeWord}
          matchCase={findOptions.matchCase}
          onOptions={(o) => {
            setFindOptions(o);
            setMatchIndex(0);
          }}
          onQuery={(q) => {
            setQuery(q);
            setMatchIndex(0);
          }}
          onReplacement={setReplacement}
          onNext={() => setMatchIndex((i) => (matches.length ? (i + 1) % matches.length : 0))}
          onPrev={() => setMatchIndex((i) => (matches.length ? (i - 1 + matches.length) % matches.length : 0))}
          onReplaceOne={() => {
            const m = matches[Math.min(matchIndex, matches.length - 1)];
            if (m) ed.apply(replaceOne(ed.segments, m, replacement));
          }}
          onReplaceAll={() => {
            const n = matches.length;
            ed.apply(replaceAll(ed.segments, query, replacement, findOptions));
            // Undo lives in the toolbar (and Ctrl+Z); a toast action could outlive this editor.
            notify(`Replaced ${n} match${n === 1 ? '' : 'es'} — undo with Ctrl+Z`);
          }}
          onClose={() => {
            setFinding(false);
            setQuery('');
          }}
        />
      )}
      {speakers.names.length > 0 && (
        <SpeakersBar
          names={speakers.names}
          colours={speakers.colours}
          diarization={transcript.diarization}
          onRename={speakers.rename}
        />
      )}
      {ed.segments.length === 0 ? (
        <div className="empty">
          <p className="empty-title">No speech was found in this recording</p>
        </div>
      ) : (
        // biome-ignore lint/a11y/noStaticElementInteractions: listens for the user's own scrolling (wheel, touch, keys)
        <div
          className="vlist-wrap"
          onWheel={userScroll}
          onTouchMove={userScroll}
          onKeyDown={(e) => {
            const inField = (e.target as HTMLElement).closest('input, textarea, select');
            if (!inField && ['PageUp', 'PageDown', 'Home', 'End', 'ArrowUp', 'ArrowDown'].includes(e.key)) userScroll();
          }}
        >
          <VirtualList
            ref={list}
            label="Transcript segments"
            count={ed.segments.length}
            render={(i) => (
              <SegmentRow
                segment={ed.segments[i]}
                index={i}
                active={playing?.[0] === i}
                activeWord={playing?.[0] === i ? playing[1] : -1}
                marks={finding && query ? marks.get(i) : undefined}
                speaker={speakers.of(ed.segments[i])}
                onSeek={onSeek}
                onEdit={onEdit}
                onSplit={onSplit}
                onMerge={i < ed.segments.length - 1 ? onMerge : undefined}
                onDelete={onDelete}
                onRevert={differs(i) ? onRevert : undefined}
                focusWord={checking?.[0] === i ? checking[1] : -1}
              />
            )}
          />
        </div>
      )}
    </div>
  );
}

const SHORTCUTS: [string, string][] = [
  ['Ctrl+Space', 'Play or pause'],
  ['Alt+← / Alt+→', 'Back or forward 5 seconds'],
  ['Ctrl+F', 'Find and replace'],
  ['Ctrl+Z / Ctrl+Shift+Z', 'Undo or redo an edit'],
  ['Enter (editing)', 'Save the segment'],
  ['Esc (editing)', 'Cancel the edit'],
  ['?', 'This list'],
];

/** The keyboard shortcuts of the transcript screen, in a modal dialog (Esc or Close returns focus). */
function ShortcutSheet({ onClose }: { onClose(): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="shortcuts-title" onClose={onClose}>
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <table className="shortcut-table">
        <tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <tr key={keys}>
              <th scope="row">
                <kbd>{keys}</kbd>
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" className="btn" onClick={() => ref.current?.close()}>
        Close
      </button>
    </dialog>
  );
}
