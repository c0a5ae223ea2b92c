/**
 * The media player kept in sync with the transcript: it reports the playing time many times a second while playing
 * (so the current word follows the voice) and seeks when a word or timestamp is clicked. Video sources show the picture.
 */
import { useCallback, useEffect, useImperativeHandle, useRef, useState } from 'react';

export interface PlayerHandle {
  seek(t: number, play?: boolean): void;
  toggle(): void;
  /** Moves by `delta` seconds (±5 s skip), within the recording. */
  skip(delta: number): void;
  time(): number;
}

export const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2] as const;

interface Props {
  src: string | null;
  video: boolean;
  /** Where playback starts when the media loads (a search hit's time); Play then starts there, not at 0:00. */
  start?: number;
  onTime(t: number): void;
  ref?: React.Ref<PlayerHandle>;
}

export function Player({ src, video, start: startAt, onTime, ref }: Props) {
  const media = useRef<HTMLMediaElement | null>(null);
  // The element exists only once `src` is known (it arrives after the first render), and switching between audio and
  // video replaces it; keeping it in state attaches the listeners to whichever element is mounted now.
  const [element, setElement] = useState<HTMLMediaElement | null>(null);
  const attach = useCallback((el: HTMLMediaElement | null) => {
    media.current = el;
    setElement(el);
  }, []);
  useImperativeHandle(ref, () => ({
    seek(t, play = true) {
      const m = media.current;
      if (!m) return;
      m.currentTime = t;
      onTime(t);
      if (play) void m.play().catch(() => {});
    },
    toggle() {
      const m = media.current;
      if (!m) return;
      if (m.paused) void m.play().catch(() => {});
      else m.pause();
    },
    skip(delta) {
      const m = media.current;
      if (!m) return;
      const end = Number.isFinite(m.duration) ? m.duration : Number.POSITIVE_INFINITY;
      m.currentTime = Math.min(end, Math.max(0, m.currentTime + delta));
      onTime(m.currentTime);
    },
    time: () => media.current?.currentTime ?? 0,
  }));
  const [rate, setRate] = useState(1);
  useEffect(() => {
    if (!element) return;
    // Both: a (re)load resets playbackRate to the default rate.
    element.defaultPlaybackRate = rate;
    element.playbackRate = rate;
  }, [element, rate]);
  // The start position is applied once per element, as soon as it knows its duration (seeking before is ignored).
  const started = useRef<HTMLMediaElement | null>(null);
  useEffect(() => {
    const m = element;
    if (!m || startAt === undefined || started.current === m) return;
    const apply = () => {
      if (started.current === m) return;
      started.current = m;
      m.currentTime = startAt;
      onTime(startAt);
    };
    if (m.readyState >= HTMLMediaElement.HAVE_METADATA) apply();
    else m.addEventListener('loadedmetadata', apply, { once: true });
    return () => m.removeEventListener('loadedmetadata', apply);
  }, [element, startAt, onTime]);
  useEffect(() => {
    const m = element;
    if (!m) return;
    let raf = 0;
    const tick = () => {
      onTime(m.currentTime);
      if (!m.paused) raf = requestAnimationFrame(tick);
    };
    const start = () => {
      cancelAnimationFrame(raf);
      raf = requestAnimationFrame(tick);
    };
    // Before the start position is applied the element reports 0: that would pull Follow playback to the top.
    const once = () => {
      if (startAt === undefined || started.current === m) onTime(m.currentTime);
    };
    m.addEventListener('play', start);
    m.addEventListener('seeked', once);
    m.addEventListener('timeupdate', once);
    return () => {
      cancelAnimationFrame(raf);
      m.removeEventListener('play', start);
      m.removeEventListener('seeked', once);
      m.removeEventListener('timeupdate', once);
    };
  }, [onTime, element, startAt]);

  if (!src) {
    return <p className="muted small player-missing">The original media file is not available for playback.</p>;
  }
  const skip = (delta: number) => () => {
    const m = media.current;
    if (!m) return;
    const end = Number.isFinite(m.duration) ? m.duration : Number.POSITIVE_INFINITY;
    m.currentTime = Math.min(end, Math.max(0, m.currentTime + delta));
  };
  const controls = (
    <div className="player-controls">
      <button type="button" className="btn btn-ghost btn-small" onClick={skip(-5)} title="Back 5 seconds (Alt+←)">
        −5 s
      </button>
      <button type="button" className="btn btn-ghost btn-small" onClick={skip(5)} title="Forward 5 seconds (Alt+→)">
        +5 s
      </button>
      <label className="small speed">
        Speed{' '}
        <select value={rate} onChange={(e) => setRate(Number(e.target.value))} data-testid="speed">
          {SPEEDS.map((s) => (
            <option key={s} value={s}>
              {s}×
            </option>
          ))}
        </select>
      </label>
    </div>
  );
  // One element either way: <video> shows the picture, <audio> only the controls. No caption track: the transcript
  // beside it is the caption.
  const Media = video ? 'video' : 'audio';
  return (
    <>
      <Media
        ref={attach}
        className={video ? 'player player-video' : 'player'}
        src={src}
        controls
        preload="metadata"
        aria-label="Recording"
        data-testid="player"
      />
      {controls}
    </>
  );
}
