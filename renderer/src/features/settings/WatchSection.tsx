/**
 * Settings → Watch folder: new recordings that appear in a folder are transcribed, and the transcript is written next
 * to each file in the chosen format. The status line says what the core is really doing (watching, or why not).
 */
import { useEffect, useState } from 'react';
import type { ExportFormat, Settings, SettingsPatch, WatchStatus } from '../../../../electron/contract/api.ts';
import { call, earshot } from '../../shared/api.ts';

export const FORMATS: [ExportFormat, string][] = [
  ['srt', 'Subtitles (.srt)'],
  ['vtt', 'WebVTT (.vtt)'],
  ['txt', 'Plain text (.txt)'],
  ['txt-timestamps', 'Text with timestamps (.timestamps.txt)'],
  ['docx', 'Word (.docx)'],
  ['json', 'JSON (.json)'],
  ['csv', 'CSV (.csv)'],
];

export function WatchSection({
  settings,
  update,
}: {
  settings: Settings;
  update(patch: SettingsPatch): Promise<void>;
}) {
  const w = settings.watch;
  const [folder, setFolder] = useState(w.folder);
  const [status, setStatus] = useState<WatchStatus>();
  // The core applies a change on its own schedule: ask again after each change, and every second.
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-read at once when the watch settings change
  useEffect(() => {
    let live = true;
    const read = () =>
      void call(earshot().watch.status())
        .then((s) => live && setStatus(s))
        .catch(() => {});
    read();
    const t = setInterval(read, 1000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [w.enabled, w.folder]);
  const saveFolder = () => {
    const clean = folder.trim();
    if (clean !== w.folder) void update({ watch: { folder: clean } });
  };
  return (
    <>
      <label className="check">
        <input
          type="checkbox"
          checked={w.enabled}
          disabled={!w.enabled && !folder.trim()}
          onChange={(e) => {
            const clean = folder.trim();
            void update({ watch: { enabled: e.target.checked, ...(clean !== w.folder ? { folder: clean } : {}) } });
          }}
        />
        <span>Transcribe new recordings that appear in a folder</span>
      </label>
      <div className="field-grid">
        <div className="field">
          <label htmlFor="watch-folder">Folder</label>
          <input
            id="watch-folder"
            type="text"
            spellCheck={false}
            placeholder="/Users/you/Recordings"
            value={folder}
            onChange={(e) => setFolder(e.target.value)}
            onBlur={saveFolder}
            onKeyDown={(e) => e.key === 'Enter' && saveFolder()}
          />
        </div>
        <div className="field">
          <label htmlFor="watch-format">Write the transcript beside each file as</label>
          <select
            id="watch-format"
            value={w.format}
            onChange={(e) => void update({ watch: { format: e.target.value as ExportFormat } })}
          >
            {FORMATS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p className="small" role="status" data-testid="watch-status">
        {!w.enabled
          ? 'Off. Files already in the folder are never transcribed; only new ones.'
          : status?.error
            ? `Not watching: ${status.error}.`
            : status?.running
              ? `Watching ${status.folder}${status.queued ? ` · ${status.queued} new file${status.queued === 1 ? '' : 's'} queued` : ''}${status.lastExport ? ` · last written: ${status.lastExport}` : ''}`
              : 'Starting…'}
      </p>
    </>
  );
}
