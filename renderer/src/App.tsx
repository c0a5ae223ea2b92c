import { HistoryView } from './features/history/HistoryView.tsx';
import { RecorderProvider } from './features/record/recorder.tsx';
import { RecordView } from './features/record/RecordView.tsx';
import { QueueView } from './features/queue/QueueView.tsx';
import { SettingsView } from './features/settings/SettingsView.tsx';
import { TranscriptView } from './features/transcript/TranscriptView.tsx';
import { TrashView } from './features/trash/TrashView.tsx';
import { Welcome } from './features/welcome/Welcome.tsx';
import { type DragEvent, useEffect, useRef } from 'react';
import { earshot } from './shared/api.ts';
import { DataNotices } from './shared/DataNotices.tsx';
import { AppStateProvider, useApp, type View } from './shared/app-state.tsx';
import { Icon, type IconName } from './shared/icons.tsx';
import { ToastProvider } from './shared/toast.tsx';
import { useWorkDoneNotice } from './shared/work-done.ts';

const NAV: { view: View['name']; label: string; icon: IconName }[] = [
  { view: 'queue', label: 'Transcribe', icon: 'wave' },
  { view: 'record', label: 'Record', icon: 'mic' },
  { view: 'history', label: 'History', icon: 'history' },
  { view: 'trash', label: 'Trash', icon: 'trash' },
  { view: 'settings', label: 'Settings', icon: 'settings' },
];

function Shell() {
  const { view, navigate, jobs, license, setDropped } = useApp();
  const active = jobs.filter((j) => ['queued', 'downloading', 'decoding', 'transcribing'].includes(j.stage)).length;
  const current = view.name === 'transcript' ? 'history' : view.name;
  useFocusHeadingOnNavigate(view);
  useWorkDoneNotice(jobs);
  const firstRun = license?.state === 'none' && jobs.length === 0;
  // Drops work anywhere on the window: the files go to the Transcribe screen, which queues them with its options
  // (or, on first run, holds them until the key is active). Without this the browser would open the file itself.
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    const paths = [...e.dataTransfer.files].map((f) => earshot().system.pathForFile(f)).filter(Boolean);
    if (paths.length === 0) return;
    setDropped(paths);
    if (view.name !== 'queue') navigate({ name: 'queue' });
  };
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: the whole window is a drop target; Choose files… is the keyboard path
    <div className="shell" onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Main">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            <Icon name="wave" size={20} />
          </span>
          <span className="brand-name">Earshot</span>
        </div>
        <ul>
          {NAV.map((item) => (
            <li key={item.view}>
              <button
                type="button"
                className={`nav-item${current === item.view ? ' active' : ''}`}
                aria-current={current === item.view ? 'page' : undefined}
                // Narrow windows show only the icon: the name must not live in the (hidden) text alone.
                aria-label={
                  item.view === 'queue' && active > 0 ? `${item.label} (${active} running or queued)` : item.label
                }
                title={item.label}
                onClick={() => navigate({ name: item.view } as View)}
              >
                <Icon name={item.icon} />
                <span>{item.label}</span>
                {item.view === 'queue' && active > 0 && (
                  <span className="nav-badge" role="status" aria-label={`${active} jobs running or queued`}>
                    {active}
                  </span>
                )}
              </button>
            </li>
          ))}
        </ul>
        <div className="sidebar-foot">
          <LicensePill />
        </div>
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        <DataNotices />
        {view.name === 'queue' && (firstRun ? <Welcome /> : <QueueView />)}
        {view.name === 'history' && <HistoryView />}
        {view.name === 'trash' && <TrashView />}
        {view.name === 'record' && <RecordView />}
        {view.name === 'settings' && <SettingsView />}
        {view.name === 'transcript' && <TranscriptView key={view.id} id={view.id} seek={view.seek} />}
      </main>
    </div>
  );
}

/**
 * Every navigation after the first screen moves the focus to the new screen's heading, so keyboard and screen-reader
 * users start there (a screen that loads its data shows its heading a little later: wait for it, briefly).
 */
function useFocusHeadingOnNavigate(view: View) {
  const first = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each navigation (a new view object)
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    let frames = 0;
    let raf = 0;
    // The heading may appear frames later (a transcript loads first); if by then the user has put the focus somewhere
    // (opened a menu, clicked a field), it stays there — the heading never takes it back.
    const before = document.activeElement;
    const tryFocus = () => {
      const now = document.activeElement;
      if (now !== before && now !== document.body && now !== null) return;
      const h1 = document.querySelector<HTMLElement>('#main h1');
      if (h1) {
        h1.tabIndex = -1;
        h1.focus({ preventScroll: true });
      } else if (frames++ < 300) raf = requestAnimationFrame(tryFocus);
    };
    raf = requestAnimationFrame(tryFocus);
    return () => cancelAnimationFrame(raf);
  }, [view]);
}

function LicensePill() {
  const { license, navigate } = useApp();
  if (!license) return null;
  const ok = license.state === 'valid';
  const label = ok
    ? `${license.plan ?? 'Licensed'}`
    : license.state === 'none'
      ? 'No license'
      : license.state === 'expired'
        ? 'License expired'
        : 'License problem';
  return (
    <button
      type="button"
      className={`license-pill ${ok ? 'ok' : 'warn'}`}
      aria-label={`License: ${label}`}
      title={`License: ${label}`}
      onClick={() => navigate({ name: 'settings', section: 'license' })}
    >
      <Icon name={ok ? 'check' : 'key'} size={14} />
      <span>{label}</span>
    </button>
  );
}

export function App() {
  return (
    <ToastProvider>
      <AppStateProvider>
        <RecorderProvider>
          <Shell />
        </RecorderProvider>
      </AppStateProvider>
    </ToastProvider>
  );
}
