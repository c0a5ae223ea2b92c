/**
 * App-wide state that several screens read: navigation, the license status, settings and the live job list (kept
 * current by the main process's job events, so the queue keeps updating while the user browses elsewhere).
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { JobView, LicenseStatus, Settings, SettingsPatch } from '../../../electron/contract/api.ts';
import { call, earshot } from './api.ts';

export type View =
  | { name: 'queue' }
  | { name: 'history' }
  | { name: 'trash' }
  | { name: 'record' }
  | { name: 'settings'; section?: string }
  | { name: 'transcript'; id: string; seek?: number };

interface AppState {
  view: View;
  navigate(view: View): void;
  license?: LicenseStatus;
  setLicense(status: LicenseStatus): void;
  refreshLicense(): Promise<void>;
  settings?: Settings;
  updateSettings(patch: SettingsPatch): Promise<Settings>;
  jobs: JobView[];
  setJobs(update: (jobs: JobView[]) => JobView[]): void;
  /**
   * Files dropped anywhere on the window (or on the welcome screen before the key is active), waiting for the
   * Transcribe screen to queue them with its per-drop options.
   */
  dropped: string[];
  setDropped(paths: string[]): void;
}

const Ctx = createContext<AppState | undefined>(undefined);

export function useApp(): AppState {
  const v = useContext(Ctx);
  if (!v) throw new Error('useApp outside AppStateProvider');
  return v;
}

export function AppStateProvider({ children }: { children: ReactNode }) {
  const [view, setView] = useState<View>({ name: 'queue' });
  const [license, setLicense] = useState<LicenseStatus>();
  const [settings, setSettings] = useState<Settings>();
  const [jobs, setJobsState] = useState<JobView[]>([]);
  const [dropped, setDropped] = useState<string[]>([]);

  const refreshLicense = useCallback(async () => setLicense(await call(earshot().license.status())), []);

  useEffect(() => {
    void refreshLicense();
    void call(earshot().settings.get()).then(setSettings);
    void call(earshot().jobs.list()).then(setJobsState);
    const offJobs = earshot().jobs.onUpdate((job) =>
      setJobsState((list) => {
        const i = list.findIndex((j) => j.id === job.id);
        if (i < 0) return [...list, job];
        const next = list.slice();
        next[i] = job;
        return next;
      }),
    );
    const offCmd = earshot().app.onCommand((cmd) => {
      if (cmd.type === 'navigate') setView({ name: cmd.view } as View);
    });
    return () => {
      offJobs();
      offCmd();
    };
  }, [refreshLicense]);

  // Theme: follow the OS unless the user picked one.
  useEffect(() => {
    const theme = settings?.theme ?? 'system';
    const osDark = window.matchMedia('(prefers-color-scheme: dark)');
    const apply = () => {
      document.documentElement.dataset.theme = theme === 'system' ? (osDark.matches ? 'dark' : 'light') : theme;
    };
    apply();
    osDark.addEventListener('change', apply);
    return () => osDark.removeEventListener('change', apply);
  }, [settings?.theme]);

  // Optimistic: controls respond at once; the saved record (or the old one, on failure) replaces the guess.
  const updateSettings = useCallback(async (patch: SettingsPatch) => {
    let before: Settings | undefined;
    setSettings((current) => {
      before = current;
      return current
        ? {
            ...current,
            ...patch,
            server: { ...current.server, ...patch.server },
            subtitles: { ...current.subtitles, ...patch.subtitles },
            diarization: { ...current.diarization, ...patch.diarization },
            watch: { ...current.watch, ...patch.watch },
            autoExport: { ...current.autoExport, ...patch.autoExport },
          }
        : current;
    });
    try {
      const next = await call(earshot().settings.update(patch));
      setSettings(next);
      return next;
    } catch (e) {
      setSettings(before);
      throw e;
    }
  }, []);

  const value = useMemo<AppState>(
    () => ({
      view,
      navigate: (v) => {
        setView(v);
        window.scrollTo(0, 0);
      },
      license,
      setLicense,
      refreshLicense,
      settings,
      updateSettings,
      jobs,
      setJobs: setJobsState,
      dropped,
      setDropped,
    }),
    [view, license, refreshLicense, settings, updateSettings, jobs, dropped],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}
