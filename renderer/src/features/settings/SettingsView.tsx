import { useEffect, useRef, useState } from 'react';
import type { ServerStatus, SystemInfo } from '../../../../electron/contract/api.ts';
import { call, describeError, earshot } from '../../shared/api.ts';
import { useApp } from '../../shared/app-state.tsx';
import { bytes, LANGUAGES } from '../../shared/format.ts';
import { Icon } from '../../shared/icons.tsx';
import { useToast } from '../../shared/toast.tsx';
import { LicenseCard } from '../license/LicenseCard.tsx';
import { ModelsSection } from '../models/ModelsSection.tsx';
import { SpeakerSettings } from '../speakers/SpeakerSettings.tsx';
import { NumberField } from './NumberField.tsx';
import { AutoExportSection } from './AutoExportSection.tsx';
import { WatchSection } from './WatchSection.tsx';

function Section({
  id,
  title,
  children,
  hint,
}: {
  id: string;
  title: string;
  hint?: string;
  children: React.ReactNode;
}) {
  return (
    <section className="card" id={`settings-${id}`} aria-labelledby={`h-${id}`}>
      <h2 id={`h-${id}`}>{title}</h2>
      {hint && <p className="muted small section-hint">{hint}</p>}
      {children}
    </section>
  );
}

export function SettingsView() {
  const { settings, updateSettings, view } = useApp();
  const notify = useToast();
  const [info, setInfo] = useState<SystemInfo>();
  const [server, setServer] = useState<ServerStatus>();
  const top = useRef<HTMLDivElement>(null);
  const statusSeq = useRef(0);
  // Only the newest answer counts: toggles in quick succession must not be overwritten by an older status.
  const refreshServer = async () => {
    const n = ++statusSeq.current;
    const st = await call(earshot().server.status());
    if (n === statusSeq.current) setServer(st);
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: load once when Settings opens
  useEffect(() => {
    void call(earshot().system.info()).then(setInfo);
    void refreshServer();
  }, []);
  useEffect(() => {
    const section = view.name === 'settings' ? view.section : undefined;
    if (section) document.getElementById(`settings-${section}`)?.scrollIntoView();
  }, [view]);
  if (!settings) return <div className="page muted">Loading…</div>;

  const update = async (patch: Parameters<typeof updateSettings>[0]) => {
    try {
      await updateSettings(patch);
      if (patch.server) await refreshServer();
    } catch (e) {
      notify(describeError(e), { tone: 'error' });
    }
  };
  const gpuFound = info?.gpu.filter((g) => g.available) ?? [];

  return (
    <div className="page settings" ref={top}>
      <header className="page-head">
        <div>
          <h1>Settings</h1>
          <p className="muted">Changes are saved as you make them.</p>
        </div>
      </header>

      <Section id="license" title="License">
        <LicenseCard />
      </Section>

      <Section
        id="models"
        title="Models"
        hint="The default model transcribes new files. Whisper models handle real recordings in many languages."
      >
        <ModelsSection />
      </Section>

      <Section
        id="device"
        title="Device"
        hint="Earshot always tells you what a job really runs on; it never falls back to the CPU silently."
      >
        <fieldset className="radio-row">
          <legend className="sr-only">Run transcription on</legend>
          {(
            [
              ['auto', 'Automatic', 'GPU when one works, otherwise CPU'],
              ['gpu', 'GPU only', 'fail clearly if no GPU works'],
              ['cpu', 'CPU only', 'predictable, works everywhere'],
            ] as const
          ).map(([value, label, hint]) => (
            <label key={value} className={`radio-card${settings.device === value ? ' checked' : ''}`}>
              <input
                type="radio"
                name="device"
                value={value}
                checked={settings.device === value}
                onChange={() => update({ device: value })}
              />
              <span className="radio-title">{label}</span>
              <span className="small muted">{hint}</span>
            </label>
          ))}
        </fieldset>
        {info && (
          <div className="detected" data-testid="detected-devices">
            <p className="small">
              <strong>Detected:</strong> {info.cpus} CPU cores, {bytes(info.memoryBytes)} memory ·{' '}
              {gpuFound.length
                ? `GPU ready: ${gpuFound.map((g) => g.provider).join(', ')}`
                : 'no GPU works here, so jobs run on the CPU'}
            </p>
            <ul className="small muted gpu-list">
              {info.gpu.map((g) => (
                <li key={g.provider}>
                  {g.provider}: {g.available ? 'loads' : `does not load — ${g.reason}`}
                </li>
              ))}
            </ul>
          </div>
        )}
        <NumberField
          id="threads"
          label="CPU threads"
          min={0}
          max={256}
          fallback={0}
          value={settings.threads}
          onChange={(threads) => update({ threads })}
          hint={`0 = automatic (${info?.defaultThreads ?? '…'} on this computer)`}
        />
      </Section>

      <Section id="language" title="Language and task">
        <div className="field-grid">
          <div className="field">
            <label htmlFor="language">Spoken language</label>
            <select id="language" value={settings.language} onChange={(e) => update({ language: e.target.value })}>
              {LANGUAGES.map(([code, name]) => (
                <option key={code} value={code}>
                  {name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="task">Task</label>
            <select
              id="task"
              value={settings.task}
              onChange={(e) => update({ task: e.target.value as 'transcribe' | 'translate' })}
            >
              <option value="transcribe">Transcribe (same language)</option>
              <option value="translate">Translate to English</option>
            </select>
          </div>
        </div>
        <label className="check">
          <input type="checkbox" checked={settings.vad} onChange={(e) => update({ vad: e.target.checked })} />
          <span>
            Skip silence (voice activity detection)
            <span className="small muted block">
              Faster, and stops models from inventing text during silence or music.
            </span>
          </span>
        </label>
      </Section>

      <Section id="speakers" title="Speaker labels" hint="Who spoke when, on every segment and in exports.">
        <SpeakerSettings value={settings.diarization} onChange={(diarization) => update({ diarization })} />
      </Section>

      <Section id="subtitles" title="Subtitles" hint="Used by SRT and VTT exports.">
        <div className="field-grid">
          <NumberField
            id="cpl"
            label="Characters per line"
            min={16}
            max={120}
            fallback={42}
            value={settings.subtitles.maxLineLength}
            onChange={(maxLineLength) => update({ subtitles: { maxLineLength } })}
          />
          <NumberField
            id="lines"
            label="Lines per subtitle"
            min={1}
            max={4}
            fallback={2}
            value={settings.subtitles.maxLines}
            onChange={(maxLines) => update({ subtitles: { maxLines } })}
          />
        </div>
      </Section>

      <Section
        id="watch"
        title="Watch folder"
        hint="New recordings in a folder are transcribed on their own, and the transcript is written next to each."
      >
        <WatchSection settings={settings} update={update} />
      </Section>

      <Section
        id="auto-export"
        title="When a transcript is ready"
        hint="Keep a copy of every finished transcript in a folder of your choice (a synced or shared one, say)."
      >
        <AutoExportSection settings={settings} update={update} />
      </Section>

      <Section
        id="server"
        title="Local API server"
        hint="Lets other programs on this computer transcribe through Earshot, with the same license. Off by default."
      >
        <label className="check">
          <input
            type="checkbox"
            checked={settings.server.enabled}
            onChange={(e) => update({ server: { enabled: e.target.checked } })}
          />
          <span>Run the API server</span>
        </label>
        <div className="field-grid">
          <NumberField
            id="port"
            label="Port"
            min={1}
            max={65535}
            fallback={7100}
            value={settings.server.port}
            onChange={(port) => update({ server: { port } })}
          />
          <div className="field">
            <label htmlFor="host">Listen on</label>
            <select
              id="host"
              value={settings.server.host}
              onChange={(e) => update({ server: { host: e.target.value } })}
            >
              <option value="127.0.0.1">This computer only (127.0.0.1)</option>
              <option value="0.0.0.0">Every network interface (0.0.0.0)</option>
            </select>
          </div>
        </div>
        {server && (
          <div className="server-status" role="status">
            <span className={`status-dot ${server.running ? 'ok' : 'off'}`} aria-hidden="true" />
            {server.running ? `Running at ${server.url}` : server.error ? describeError(server.error) : 'Not running'}
          </div>
        )}
        {server?.curlExample && (
          <div className="code-block">
            <pre>
              <code>{server.curlExample}</code>
            </pre>
            <button
              type="button"
              className="btn btn-small"
              onClick={async () => {
                await call(earshot().system.copyText(server.curlExample ?? ''));
                notify('Example copied');
              }}
            >
              <Icon name="copy" size={14} /> Copy
            </button>
          </div>
        )}
      </Section>

      <Section id="appearance" title="Appearance">
        <div className="field">
          <label htmlFor="theme">Theme</label>
          <select
            id="theme"
            value={settings.theme}
            onChange={(e) => update({ theme: e.target.value as 'system' | 'light' | 'dark' })}
          >
            <option value="system">Follow the system</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </div>
      </Section>

      {info && (
        <Section id="data" title="Your data">
          <p className="small">
            Settings, models, transcripts and the queue live in <code className="mono">{info.dataHome}</code>. Earshot{' '}
            {info.appVersion} · {info.platform}
          </p>
        </Section>
      )}
    </div>
  );
}
