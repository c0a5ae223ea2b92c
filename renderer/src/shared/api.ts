/** The thin layer between components and `window.earshot`: unwraps Results into values or a thrown ApiFailure. */
import type { ApiError, EarshotApi, Result } from '../../../electron/contract/api.ts';
import { formatDate } from './format.ts';

export class ApiFailure extends Error {
  constructor(readonly error: ApiError) {
    super(error.message);
  }
}

export const earshot = (): EarshotApi => window.earshot;

export async function call<T>(p: Promise<Result<T>>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new ApiFailure(r.error);
  return r.value;
}

/** One line for the user: the table's message plus the precise reason or date when there is one. */
export function describeError(e: unknown): string {
  const err = e instanceof ApiFailure ? e.error : (e as ApiError | undefined);
  if (!err || typeof err !== 'object' || !('message' in err)) return e instanceof Error ? e.message : String(e);
  const d = err.details ?? {};
  const extra: string[] = [];
  // Machine reasons (`http_status`, `network`) are for API clients and logs, not sentences for people.
  if (typeof d.reason === 'string' && !/^[a-z0-9_]+$/i.test(d.reason)) extra.push(humanDates(d.reason));
  if (typeof d.expires_at === 'string' && !String(d.reason ?? '').includes(String(d.expires_at).slice(0, 10))) {
    extra.push(`expired on ${formatDate(d.expires_at)}`);
  }
  if (typeof d.starts_at === 'string') extra.push(`valid from ${formatDate(d.starts_at)}`);
  if (typeof d.resets_at === 'string') extra.push(`resets ${formatDate(d.resets_at)}`);
  return extra.length ? `${err.message}: ${extra.join('; ')}` : err.message;
}

/** ISO-8601 timestamps inside a message, shown as local dates. */
function humanDates(text: string): string {
  return text.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})/g, (iso) => formatDate(iso));
}
