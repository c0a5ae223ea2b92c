/**
 * One dispatcher for every face of the contract: validates a channel's arguments, calls its handler and turns any
 * thrown error into the `{ ok: false, error }` shape with the shared error code. Electron's ipcMain (electron/main)
 * and the end-to-end tests' Playwright binding both call it.
 */
import { toApiError } from '../core/errors.ts';
import type { Result } from './api.ts';
import { INVOKE_CHANNELS, type InvokeChannel } from './channels.ts';
import type { MethodOf } from './method-types.ts';
import { REQUEST_SCHEMAS } from './schemas.ts';

type Unwrap<R> = R extends Result<infer T> ? T : never;

/** The server-side implementation of one channel: plain values in, plain value (or a thrown error) out. */
export type Handler<C extends InvokeChannel> =
  MethodOf<C> extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<Unwrap<R>> : never;

export type ApiHandlers = { [C in InvokeChannel]: Handler<C> };

export type Dispatch = (channel: string, args: unknown[]) => Promise<Result<unknown>>;

/** Errors cross IPC as core's one error-data conversion makes them. */
export { toApiError };

export function createDispatcher(handlers: ApiHandlers): Dispatch {
  const known = new Set<string>(INVOKE_CHANNELS);
  return async (channel, args) => {
    if (!known.has(channel)) {
      return { ok: false, error: { code: 'INVALID_PARAMETER', message: `Unknown channel ${channel}` } };
    }
    const parsed = REQUEST_SCHEMAS[channel as InvokeChannel].safeParse(args);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        ok: false,
        error: {
          code: 'INVALID_PARAMETER',
          message:
            `Invalid request to ${channel}: ${issue?.path.join('.') || 'arguments'} ${issue?.message ?? ''}`.trim(),
        },
      };
    }
    try {
      const fn = handlers[channel as InvokeChannel] as (...a: unknown[]) => Promise<unknown>;
      const value = await fn(...parsed.data);
      return { ok: true, value: value as unknown };
    } catch (e) {
      return { ok: false, error: toApiError(e) };
    }
  };
}
