/**
 * When long work ends: a system notification once the queue has emptied while the window was in the background
 * ("3 transcripts ready · 1 failed"), and the window title carries the progress meanwhile (the taskbar and the
 * window switcher show it). Uses the web Notification API, which Electron turns into an OS notification.
 */
import { useEffect, useRef } from 'react';
import type { JobView } from '../../../electron/contract/api.ts';

const ACTIVE = new Set(['queued', 'downloading', 'decoding', 'transcribing']);
const BASE_TITLE = 'Earshot';

export function useWorkDoneNotice(jobs: JobView[]) {
  const focused = useRef(true);
  const batch = useRef<Set<string>>(new Set());
  useEffect(() => {
    const on = () => {
      focused.current = true;
    };
    const off = () => {
      focused.current = false;
    };
    window.addEventListener('focus', on);
    window.addEventListener('blur', off);
    return () => {
      window.removeEventListener('focus', on);
      window.removeEventListener('blur', off);
    };
  }, []);

  useEffect(() => {
    const active = jobs.filter((j) => ACTIVE.has(j.stage));
    for (const j of active) batch.current.add(j.id);
    if (active.length > 0) {
      const pct = Math.round((active.reduce((n, j) => n + j.progress, 0) / active.length) * 100);
      document.title = `${BASE_TITLE} — ${active.length} working, ${pct}%`;
      return;
    }
    document.title = BASE_TITLE;
    if (batch.current.size === 0) return;
    const finished = jobs.filter((j) => batch.current.has(j.id));
    batch.current = new Set();
    const done = finished.filter((j) => j.stage === 'done').length;
    const failed = finished.filter((j) => j.stage === 'failed').length;
    if (focused.current && !document.hidden) return;
    if (typeof Notification === 'undefined' || Notification.permission === 'denied' || done + failed === 0) return;
    const body = [done ? `${done} transcript${done === 1 ? '' : 's'} ready` : '', failed ? `${failed} failed` : '']
      .filter(Boolean)
      .join(' · ');
    const show = () => new Notification('Transcription finished', { body });
    if (Notification.permission === 'granted') show();
    else void Notification.requestPermission().then((p) => p === 'granted' && show());
  }, [jobs]);
}
