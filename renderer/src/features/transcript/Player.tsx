/**
 * The media player kept in sync with the transcript: it reports the playing time many times a second while playing
 * (so the current word follows the voice) and seeks when a word or timestamp is clicked. Video sources show the picture.
 */
import { useCallback, useEffect, useImperativeHandle, useRef, useState } from 'react';

export interface PlayerHandle {
  seek(t: number, play?: boolean): void;
  toggle(): void;
}

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
  }));
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
  return video ? (
    // biome-ignore lint/a11y/useMediaCaption: the transcript beside it is the caption
    <video
      ref={attach}
      className="player player-video"
      src={src}
      controls
      preload="metadata"
      aria-label="Recording"
      data-testid="player"
    />
  ) : (
    // biome-ignore lint/a11y/useMediaCaption: the transcript beside it is the caption
    <audio
      ref={attach}
      className="player"
      src={src}
      controls
      preload="metadata"
      aria-label="Recording"
      data-testid="player"
    />
  );
}
