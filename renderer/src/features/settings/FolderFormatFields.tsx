/**
 * The part Settings' watch folder and auto-export share: an on/off switch that needs a folder first, the folder (saved
 * on blur or Enter), and the export format to write there.
 */
import { useState } from 'react';
import type { ExportFormat } from '../../../../electron/contract/api.ts';

export const FORMATS: [ExportFormat, string][] = [
  ['srt', 'Subtitles (.srt)'],
  ['vtt', 'WebVTT (.vtt)'],
  ['txt', 'Plain text (.txt)'],
  ['txt-timestamps', 'Text with timestamps (.timestamps.txt)'],
  ['docx', 'Word (.docx)'],
  ['json', 'JSON (.json)'],
  ['csv', 'CSV (.csv)'],
];

export interface FolderFormat {
  enabled: boolean;
  folder: string;
  format: ExportFormat;
}

export function FolderFormatFields({
  value,
  patch,
  idPrefix,
  switchLabel,
  folderLabel,
  formatLabel,
  placeholder,
}: {
  value: FolderFormat;
  patch(change: Partial<FolderFormat>): void;
  idPrefix: string;
  switchLabel: string;
  folderLabel: string;
  formatLabel: string;
  placeholder: string;
}) {
  const [folder, setFolder] = useState(value.folder);
  const saveFolder = () => {
    const clean = folder.trim();
    if (clean !== value.folder) patch({ folder: clean });
  };
  return (
    <>
      <label className="check">
        <input
          type="checkbox"
          checked={value.enabled}
          disabled={!value.enabled && !folder.trim()}
          onChange={(e) => {
            const clean = folder.trim();
            patch({ enabled: e.target.checked, ...(clean !== value.folder ? { folder: clean } : {}) });
          }}
        />
        <span>{switchLabel}</span>
      </label>
      <div className="field-grid">
        <div className="field">
          <label htmlFor={`${idPrefix}-folder`}>{folderLabel}</label>
          <input
            id={`${idPrefix}-folder`}
            type="text"
            spellCheck={false}
            placeholder={placeholder}
            value={folder}
            onChange={(e) => setFolder(e.target.value)}
            onBlur={saveFolder}
            onKeyDown={(e) => e.key === 'Enter' && saveFolder()}
          />
        </div>
        <div className="field">
          <label htmlFor={`${idPrefix}-format`}>{formatLabel}</label>
          <select
            id={`${idPrefix}-format`}
            value={value.format}
            onChange={(e) => patch({ format: e.target.value as ExportFormat })}
          >
            {FORMATS.map(([format, label]) => (
              <option key={format} value={format}>
                {label}
              </option>
            ))}
          </select>
        </div>
      </div>
    </>
  );
}
