/** File names for transcripts written to disk (watch folder, auto-export): safe, with the format's extension, new. */
import { existsSync } from 'node:fs';
import type { ExportFormat } from '../../contract/api.ts';

export const EXPORT_EXTENSIONS: Record<ExportFormat, string> = {
  txt: 'txt',
  'txt-timestamps': 'timestamps.txt',
  srt: 'srt',
  vtt: 'vtt',
  json: 'json',
  docx: 'docx',
  csv: 'csv',
};

/** A title as a file name on every OS: no path separators, reserved characters or control characters. */
export function safeFileName(title: string): string {
  return (
    title
      .replace(/[\\/:*?"<>|\p{Cc}]+/gu, '_')
      .slice(0, 120)
      .trim() || 'transcript'
  );
}

/** `<base>.<ext>`, or `<base> (2).<ext>`… when that exists: an export never replaces a file. */
export function freeName(base: string, extension: string): string {
  let candidate = `${base}.${extension}`;
  for (let n = 2; existsSync(candidate); n++) candidate = `${base} (${n}).${extension}`;
  return candidate;
}
