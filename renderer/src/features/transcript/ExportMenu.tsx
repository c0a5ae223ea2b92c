/** Export in every format (edits included — exports are built from the saved segments) and copy as text. */
import { useLayoutEffect, useRef, useState } from 'react';
import type { ExportFormat } from '../../../../electron/contract/api.ts';
import { call, describeError, earshot } from '../../shared/api.ts';
import { Icon } from '../../shared/icons.tsx';
import { useToast } from '../../shared/toast.tsx';

const FORMATS: [ExportFormat, string][] = [
  ['txt', 'Plain text (.txt)'],
  ['txt-timestamps', 'Text with timestamps (.txt)'],
  ['srt', 'Subtitles (.srt)'],
  ['vtt', 'Web subtitles (.vtt)'],
  ['docx', 'Word document (.docx)'],
  ['json', 'JSON with word timings (.json)'],
  ['csv', 'Spreadsheet (.csv)'],
];

export function ExportMenu({ id, beforeExport }: { id: string; beforeExport: () => Promise<void> }) {
  const notify = useToast();
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  // A layout effect, so the first item has the focus before the menu is painted: with a plain effect the open menu
  // was on screen a moment with the focus still on the Export button, and an arrow key pressed then went nowhere.
  useLayoutEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => !root.current?.contains(e.target as Node) && setOpen(false);
    document.addEventListener('mousedown', close);
    root.current?.querySelector<HTMLButtonElement>('[role=menuitem]')?.focus();
    return () => document.removeEventListener('mousedown', close);
  }, [open]);

  const download = async (format: ExportFormat) => {
    setOpen(false);
    try {
      await beforeExport();
      const out = await call(earshot().transcripts.export(id, format));
      const body = out.encoding === 'base64' ? Uint8Array.from(atob(out.data), (c) => c.charCodeAt(0)) : out.data;
      const url = URL.createObjectURL(new Blob([body], { type: out.mime }));
      const a = document.createElement('a');
      a.href = url;
      a.download = out.fileName;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      notify(`Exported ${out.fileName}`);
    } catch (e) {
      notify(describeError(e), { tone: 'error' });
    }
  };

  const copy = async () => {
    try {
      await beforeExport();
      const out = await call(earshot().transcripts.export(id, 'txt'));
      await call(earshot().system.copyText(out.data));
      notify('Transcript copied to the clipboard');
    } catch (e) {
      notify(describeError(e), { tone: 'error' });
    }
  };

  return (
    <div className="menu-wrap" ref={root}>
      <button type="button" className="btn" onClick={copy}>
        <Icon name="copy" size={16} /> Copy text
      </button>
      <button
        type="button"
        className="btn btn-primary"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        <Icon name="download" size={16} /> Export
      </button>
      {open && (
        <div
          className="menu"
          role="menu"
          tabIndex={-1}
          aria-label="Export format"
          onKeyDown={(e) => {
            const items = [...(root.current?.querySelectorAll<HTMLButtonElement>('[role=menuitem]') ?? [])];
            const i = items.indexOf(document.activeElement as HTMLButtonElement);
            if (e.key === 'Escape') setOpen(false);
            if (e.key === 'ArrowDown') items[(i + 1) % items.length]?.focus();
            if (e.key === 'ArrowUp') items[(i - 1 + items.length) % items.length]?.focus();
          }}
        >
          {FORMATS.map(([f, label]) => (
            <button key={f} type="button" role="menuitem" className="menu-item" onClick={() => download(f)}>
              {label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
