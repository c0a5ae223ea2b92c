/** Settings → When a transcript is ready: also write it into one folder, in one format (off by default). */
import { useState } from 'react';
import type { ExportFormat, Settings, SettingsPatch } from '../../../../electron/contract/api.ts';
import { FORMATS } from './WatchSection.tsx';

export function AutoExportSection({
  settings,
  update,
}: {
  settings: Settings;
  update(patch: SettingsPatch): Promise<void>;
}) {
  const a = settings.autoExport;
  const [folder, setFolder] = useState(a.folder);
  const saveFolder = () => {
    const clean = folder.trim();
    if (clean !== a.folder) void update({ autoExport: { folder: clean } });
  };
  return (
    <>
      <label className="check">
        <input
          type="checkbox"
          checked={a.enabled}
          disabled={!a.enabled && !folder.trim()}
          onChange={(e) => {
            const clean = folder.trim();
            void update({
              autoExport: { enabled: e.target.checked, ...(clean !== a.folder ? { folder: clean } : {}) },
            });
          }}
        />
        <span>Also save every finished transcript into a folder</span>
      </label>
      <div className="field-grid">
        <div className="field">
          <label htmlFor="auto-export-folder">Folder for the copies</label>
          <input
            id="auto-export-folder"
            type="text"
            spellCheck={false}
            placeholder="/Users/you/Transcripts"
            value={folder}
            onChange={(e) => setFolder(e.target.value)}
            onBlur={saveFolder}
            onKeyDown={(e) => e.key === 'Enter' && saveFolder()}
          />
        </div>
        <div className="field">
          <label htmlFor="auto-export-format">As</label>
          <select
            id="auto-export-format"
            value={a.format}
            onChange={(e) => void update({ autoExport: { format: e.target.value as ExportFormat } })}
          >
            {FORMATS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
      </div>
    </>
  );
}
