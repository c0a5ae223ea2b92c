/**
 * Settings → Watch folder: new recordings that appear in a folder are transcribed, and the transcript is written next
 * to each file in the chosen format. The status line says what the core is really doing (watching, or why not).
 */
import { useEffect, useState } from 'react';
import type { Settings, SettingsPatch, WatchStatus } from '../../../../electron/contract/api.ts';
import { call, earshot } from '../../shared/api.ts';
import { FolderFormatFields } from './FolderFormatFields.tsx';

export function WatchSection({
  settings,
  update,
}: {
  settings: Settings;
  update(patch: SettingsPatch): Promise<void>;
}) {
  const w = settings.watch;
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
  return (
    <>
      <FolderFormatFields
        value={w}
        patch={(change) => void update({ watch: change })}
        idPrefix="watch"
        switchLabel="Transcribe new recordings that appear in a folder"
        folderLabel="Folder"
        formatLabel="Write the transcript beside each file as"
        placeholder="/Users/you/Recordings"
      />
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
