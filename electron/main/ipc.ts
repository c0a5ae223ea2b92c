/**
 * Registers one ipcMain handler per contract channel. Payloads are validated by the shared dispatcher (zod schemas
 * in electron/contract/schemas.ts); only our own window's top frame may call.
 */
import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { INVOKE_CHANNELS } from '../contract/channels.ts';
import type { Dispatch } from '../contract/dispatch.ts';

export function registerIpc(dispatch: Dispatch, isTrustedUrl: (url: string) => boolean): () => void {
  const trusted = (event: IpcMainInvokeEvent) => {
    const frame = event.senderFrame;
    return Boolean(frame && frame === event.sender.mainFrame && isTrustedUrl(frame.url));
  };
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, (event, ...args: unknown[]) => {
      if (!trusted(event)) {
        return { ok: false, error: { code: 'INVALID_PARAMETER', message: 'Request from an untrusted frame' } };
      }
      return dispatch(channel, args);
    });
  }
  return () => {
    for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(channel);
  };
}
