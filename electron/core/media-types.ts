/**
 * The one table of media types Earshot takes in: each container the sniffer recognises (`audio/sniff.ts`) with the file
 * name extensions that stand for it. Folder import and the watch folder (`jobs/sources.ts`), files opened from the OS
 * and the file dialog (`main/main.ts`), the decoder's and the API's `supported_formats` all read it, so a name that
 * is queued is one whose bytes the sniffer can accept. Extensions are lower case, with the dot. Pure data: the
 * renderer may read it through the contract.
 */
export const MEDIA_TYPES = [
  { container: 'wav', mime: 'audio/wav', extensions: ['.wav', '.wave'] },
  { container: 'mp3', mime: 'audio/mpeg', extensions: ['.mp3'] },
  { container: 'flac', mime: 'audio/flac', extensions: ['.flac'] },
  { container: 'ogg', mime: 'audio/ogg', extensions: ['.ogg', '.oga'] },
  { container: 'opus', mime: 'audio/ogg; codecs=opus', extensions: ['.opus'] },
  { container: 'm4a', mime: 'audio/mp4', extensions: ['.m4a'] },
  { container: 'aac', mime: 'audio/aac', extensions: ['.aac'] },
  // 3GP is ISO-BMFF with its own brand: the sniffer reads it as MP4.
  { container: 'mp4', mime: 'video/mp4', extensions: ['.mp4', '.m4v', '.3gp'] },
  { container: 'mov', mime: 'video/quicktime', extensions: ['.mov'] },
  { container: 'webm', mime: 'video/webm', extensions: ['.webm', '.weba'] },
  { container: 'mkv', mime: 'video/x-matroska', extensions: ['.mkv'] },
  { container: 'aiff', mime: 'audio/aiff', extensions: ['.aif', '.aiff'] },
] as const satisfies readonly { container: string; mime: string; extensions: readonly `.${string}`[] }[];

export type MediaContainer = (typeof MEDIA_TYPES)[number]['container'];

/** Container names accepted as input; the API returns this list as `supported_formats` in 415 errors. */
export const SUPPORTED_FORMATS: string[] = MEDIA_TYPES.map((t) => t.container);

/** Every extension of the table (with the dot, lower case). */
export const MEDIA_EXTENSIONS: ReadonlySet<string> = new Set(MEDIA_TYPES.flatMap((t) => t.extensions));

/** True when a file name (or path) ends in one of the table's extensions, in any case. */
export function isMediaName(name: string): boolean {
  const dot = name.lastIndexOf('.');
  const slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  return dot > slash + 1 && MEDIA_EXTENSIONS.has(name.slice(dot).toLowerCase());
}

/** The extensions without their dots, as file dialogs and OS file associations want them. */
export function dialogExtensions(): string[] {
  return [...MEDIA_EXTENSIONS].map((e) => e.slice(1));
}
