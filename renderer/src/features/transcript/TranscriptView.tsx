import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Transcript } from '../../../../electron/contract/api.ts';
import { call, describeError, earshot } from '../../shared/api.ts';
import { useApp } from '../../shared/app-state.tsx';
import { clock, relativeDate } from '../../shared/format.ts';
import { Icon } from '../../shared/icons.tsx';
import { useToast } from '../../shared/toast.tsx';
import { findMatches, replaceAll, replaceOne, retext, wordAt } from './edit.ts';
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
  const lowCount = useMemo(
    () => ed.segments.reduce((n, s) => n + (s.words ?? []).filter((w) => w.confidence < LOW_CONFIDENCE).length, 0),
    [ed.segments],
  );

  const onSeek = useCallback((at: number) => player.current?.seek(at), []);
  const onEdit = useCallback(
    (index: number, text: string) => ed.apply(ed.segments.map((s, i) => (i === index ? retext(s, text) : s))),
    [ed],
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll to the search hit once, when the view opens
  useEffect(() => {
    if (seek !== undefined) {
      const hit = wordAt(ed.segments, seek);
      if (hit) list.current?.scrollToIndex(hit[0]);
    }
  }, []);
  useEffect(() => {
    if (follow && playing) list.current?.scrollToIndex(playing[0]);
  }, [follow, playing?.[0]]);
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
                · <span className="word-low">{lowCount} low-confidence words</span>
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
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow playback
        </label>
      </div>
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
            />
          )}
        />
      )}
    </div>
  );
}
