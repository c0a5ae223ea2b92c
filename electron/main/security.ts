import type { BrowserWindow, Session } from 'electron';
import { isAppPageUrl } from './app-url.ts';

/** The renderer loads only bundled files; no remote code, no inline scripts, media from our own protocol. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "media-src 'self' earshot-media:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Session-wide defaults: CSP on every response, every permission request denied except the microphone (audio only)
 * for the app's own pages (`isAppUrl`), which the Record screen needs.
 */
export function hardenSession(session: Session, isAppUrl: (url: string) => boolean = () => false): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });
  session.setPermissionRequestHandler((_wc, permission, callback, details) => {
    const media = details as { mediaTypes?: string[]; requestingUrl?: string };
    const audioOnly = (media.mediaTypes ?? []).length > 0 && (media.mediaTypes ?? []).every((t) => t === 'audio');
    callback(permission === 'media' && audioOnly && isAppUrl(media.requestingUrl ?? ''));
  });
  session.setPermissionCheckHandler((_wc, permission, _origin, details) => {
    const media = details as { mediaType?: string; requestingUrl?: string };
    return permission === 'media' && media.mediaType === 'audio' && isAppUrl(media.requestingUrl ?? '');
  });
}

/** No navigation away from the app and no new windows; links to the web open nowhere. */
export function lockNavigation(win: BrowserWindow, indexHtml: string): void {
  win.webContents.on('will-navigate', (event, url) => {
    if (!isAppPageUrl(url, indexHtml)) event.preventDefault();
  });
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
}
