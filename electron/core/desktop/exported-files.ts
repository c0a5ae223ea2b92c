/**
 * Files the app wrote outside its data folder (auto-export, "Export all"), and what "Reveal in folder" may show: the
 * core decides, main only calls the OS. A path from the window is shown only when it is, after resolving links, a file
 * inside the data folder or one the app exported in this session — a compromised window cannot make the app open
 * arbitrary places in the file manager.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { EarshotError } from '../errors.ts';
import type { CaptionOptions } from '../export/captions.ts';
import { type ExportFormat, exportTranscript } from '../export/index.ts';
import { writeFileAtomic } from '../fs-atomic.ts';
import type { StoredTranscript } from '../library/library.ts';
import { EXPORT_EXTENSIONS, freeName, safeFileName } from './export-files.ts';

/** Writes one transcript into `folder` in `format`, under its title, never over an existing file. Returns the path. */
export async function writeExport(
  t: StoredTranscript,
  format: ExportFormat,
  subtitles: CaptionOptions | undefined,
  folder: string,
): Promise<string> {
  const st = await fs.stat(folder).catch(() => undefined);
  if (!st?.isDirectory()) throw new EarshotError('INVALID_PARAMETER', `${folder} is not a folder`, { folder });
  const out = await exportTranscript(t, format, subtitles);
  const target = freeName(path.join(folder, safeFileName(t.title)), EXPORT_EXTENSIONS[format]);
  await writeFileAtomic(target, out.data);
  return target;
}

const inside = (dir: string, file: string) => {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
};

export class ExportedFiles {
  /** Real paths of exported files → the transcript each came from. */
  private files = new Map<string, string>();
  private lastByTranscript = new Map<string, string>();
  /** "Export all" runs: their folder, chosen in the native picker (the window never names it). */
  private batches = new Map<string, string>();

  constructor(private readonly dataHome: string) {}

  /** Remembers a file the app has just written for a transcript. */
  async record(file: string, transcriptId: string): Promise<void> {
    const real = await fs.realpath(file).catch(() => path.resolve(file));
    this.files.set(real, transcriptId);
    this.lastByTranscript.set(transcriptId, real);
  }

  /** The newest file exported for a transcript that still exists. */
  async lastExportOf(transcriptId: string): Promise<string | undefined> {
    const file = this.lastByTranscript.get(transcriptId);
    if (!file) return undefined;
    return (await fs.stat(file).catch(() => undefined))?.isFile() ? file : undefined;
  }

  startBatch(folder: string): string {
    const id = randomUUID();
    this.batches.set(id, path.resolve(folder));
    return id;
  }

  folderOf(batchId: string): string {
    const folder = this.batches.get(batchId);
    if (!folder)
      throw new EarshotError('INVALID_PARAMETER', 'This export was not started here; choose the folder again');
    return folder;
  }

  /**
   * The real path of `file` when the window may reveal it; INVALID_PARAMETER otherwise (not absolute, missing, a
   * folder, or outside the data folder and not exported by the app).
   */
  async revealable(file: string): Promise<string> {
    const refuse = (why: string) => new EarshotError('INVALID_PARAMETER', `Cannot show this file: ${why}`);
    if (!path.isAbsolute(file)) throw refuse('not an absolute path');
    const real = await fs.realpath(file).catch(() => undefined);
    if (!real) throw refuse('it no longer exists');
    if (!(await fs.stat(real)).isFile()) throw refuse('not a file');
    const home = await fs.realpath(this.dataHome).catch(() => path.resolve(this.dataHome));
    if (inside(home, real) || this.files.has(real)) return real;
    throw refuse('only files in the data folder or exported by Earshot can be shown');
  }
}
