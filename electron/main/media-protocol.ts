/**
 * `earshot-media://transcript/<id>` serves a transcript's own media file to the player, and nothing else: the id is
 * looked up in the library, so the renderer can never name an arbitrary path. Range requests come from net.fetch on
 * the file URL, so seeking works in long recordings.
 */
import { pathToFileURL } from 'node:url';
import { net, protocol } from 'electron';
import type { TranscriptLibrary } from '../core/library/library.ts';

export const MEDIA_SCHEME = 'earshot-media';

/** Must run before app `ready`. */
export function registerMediaScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true } },
  ]);
}

export function mediaUrlFor(id: string): string {
  return `${MEDIA_SCHEME}://transcript/${encodeURIComponent(id)}`;
}

export function handleMediaProtocol(library: TranscriptLibrary): void {
  protocol.handle(MEDIA_SCHEME, async (request) => {
    const id = decodeURIComponent(new URL(request.url).pathname.replace(/^\//, ''));
    try {
      const t = await library.get(id);
      if (!t.mediaPath) return new Response('No media', { status: 404 });
      return net.fetch(pathToFileURL(t.mediaPath).toString(), { headers: request.headers });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}
