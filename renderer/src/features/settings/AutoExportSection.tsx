/** Settings → When a transcript is ready: also write it into one folder, in one format (off by default). */
import type { Settings, SettingsPatch } from '../../../../electron/contract/api.ts';
import { FolderFormatFields } from './FolderFormatFields.tsx';

export function AutoExportSection({
  settings,
  update,
}: {
  settings: Settings;
  update(patch: SettingsPatch): Promise<void>;
}) {
  return (
    <FolderFormatFields
      value={settings.autoExport}
      patch={(change) => void update({ autoExport: change })}
      idPrefix="auto-export"
      switchLabel="Also save every finished transcript into a folder"
      folderLabel="Folder for the copies"
      formatLabel="As"
      placeholder="/Users/you/Transcripts"
    />
  );
}
