/**
 * URL sources: streamed download (undici, as the model downloader) to a temp file with a size cap, connect/read
 * timeouts, a redirect limit, progress and cancellation. Only http and https. When private targets are refused, the check runs on the address the socket
 * actually connects to (inside DNS lookup), on every hop, so neither redirects nor DNS tricks get around it.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import { STATUS_CODES } from 'node:http';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import dns from 'node:dns';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Agent, type Dispatcher, request } from 'undici';
import { EarshotError, isEarshotError } from '../errors.ts';
import { parseUserUrl } from '../url-rule.ts';
import { isPrivateAddress } from './address-policy.ts';
import type { UrlFetchOptions } from './types.ts';

export interface FetchedFile {
  path: string;
  bytes: number;
  contentType?: string;
  cleanup(): Promise<void>;
}

const DEFAULTS = { connectTimeoutMs: 10_000, readTimeoutMs: 30_000, maxRedirects: 5 };

/** True for strings that look like `scheme://...` (as opposed to file paths). */
export function looksLikeUrl(source: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(source);
}

/** A URL source by the one URL rule (`core/url-rule.ts`): http or https, no embedded credentials. */
export function parseAllowedUrl(raw: string): URL {
  return parseUserUrl(raw);
}

/** The error an aborted download reports: the abort's own reason when it is one of ours (the total time cap). */
function abortError(signal: AbortSignal | undefined): EarshotError {
  return isEarshotError(signal?.reason) ? signal.reason : new EarshotError('CANCELLED', 'Download cancelled');
}

/**
 * The caller's signal, plus the total time cap when one is set: a trickle that keeps resetting the read timeout still
 * ends at the cap. `dispose` clears the timer.
 */
function withTotalTimeout(url: string, opts: UrlFetchOptions): { signal?: AbortSignal; dispose: () => void } {
  if (!opts.totalTimeoutMs) return { signal: opts.signal, dispose: () => {} };
  const controller = new AbortController();
  const origin = URL.canParse(url) ? new URL(url).origin : 'the URL';
  const timer = setTimeout(() => {
    controller.abort(
      new EarshotError(
        'URL_FETCH_FAILED',
        `Could not download ${origin}: the download did not finish within ${opts.totalTimeoutMs! / 1000} s`,
        { reason: 'total_timeout' },
      ),
    );
  }, opts.totalTimeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, controller.signal]) : controller.signal;
  return { signal, dispose: () => clearTimeout(timer) };
}

function refusePrivate(host: string): EarshotError {
  return new EarshotError('URL_NOT_ALLOWED', `The URL points to a private or local address (${host})`, {
    reason: 'private_address',
  });
}

/** Name resolution as dns.lookup does it with `all: true` (tests give their own). */
export type Resolver = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

/**
 * A socket `lookup` that drops private answers (unless allowed) and fails when none is left. Given to the socket
 * itself, it makes the address checked the address connected to: there is no second lookup to rebind.
 */
export function guardedLookup(allowPrivate: boolean, resolve: Resolver = dns.lookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, list) => {
      if (err) return callback(err, '', 4);
      const usable = allowPrivate ? list : list.filter((a) => !isPrivateAddress(a.address));
      if (usable.length === 0) return callback(refusePrivate(`${hostname} → ${list[0]?.address}`), '', 4);
      if ((options as dns.LookupOptions).all) return callback(null, usable as unknown as string, 4);
      callback(null, usable[0].address, usable[0].family);
    });
  };
}

/** undici's and the socket's failures, as the download's errors. */
function describeNetworkError(e: unknown, url: URL, opts: Settings): EarshotError {
  if (e instanceof EarshotError) return e;
  const err = e as NodeJS.ErrnoException & { cause?: unknown };
  if (err.cause instanceof EarshotError) return err.cause;
  const host = url.host;
  switch (err.code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new EarshotError(
        'URL_FETCH_FAILED',
        `Could not download ${url.origin}: connect timed out after ${opts.connectTimeoutMs} ms`,
        { reason: 'connect_timeout' },
      );
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new EarshotError(
        'URL_FETCH_FAILED',
        `Could not download ${url.origin}: no data received for ${opts.readTimeoutMs} ms (read timeout)`,
        { reason: 'read_timeout' },
      );
    case 'UND_ERR_BODY_TIMEOUT':
      return new EarshotError(
        'URL_FETCH_FAILED',
        `Could not download ${url.origin}: the transfer stalled (read timeout)`,
        {
          reason: 'read_timeout',
        },
      );
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
    case 'ERR_STREAM_PREMATURE_CLOSE':
      return new EarshotError(
        'URL_FETCH_FAILED',
        `Could not download ${url.origin}: the server closed the connection early`,
        {
          reason: 'incomplete',
        },
      );
  }
  const reasons: Record<string, string> = {
    ENOTFOUND: `DNS lookup failed for ${url.hostname}`,
    EAI_AGAIN: `DNS lookup failed for ${url.hostname} (temporary failure)`,
    ECONNREFUSED: `connection refused by ${host}`,
    ECONNRESET: `connection reset by ${host}`,
    EHOSTUNREACH: `host ${host} is unreachable`,
    ENETUNREACH: `network unreachable for ${host}`,
    EPIPE: `connection to ${host} closed`,
  };
  const message = err.message ?? String(e);
  const reason =
    reasons[err.code ?? ''] ?? (/certificate|SSL|TLS/i.test(message) ? `TLS error with ${host}: ${message}` : message);
  // The whole address (not only the host): a user with several links needs to see which one failed.
  return new EarshotError('URL_FETCH_FAILED', `Could not download ${url.origin}${url.pathname}: ${reason}`, {
    reason: err.code ?? 'network',
  });
}

/** Drops a response body we will not read (its abort error has nowhere to go). */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {});
  body.destroy();
}

type Settings = Required<Pick<UrlFetchOptions, 'connectTimeoutMs' | 'readTimeoutMs' | 'allowPrivate'>>;

/**
 * undici with the download's rules: connect timeout, read timeout for the headers and between body chunks, and the
 * guarded lookup on every connection (so every redirect hop is checked on the address it connects to).
 */
function dispatcherFor(opts: Settings): Agent {
  return new Agent({
    connect: { timeout: opts.connectTimeoutMs, lookup: guardedLookup(opts.allowPrivate) },
    headersTimeout: opts.readTimeoutMs,
    bodyTimeout: opts.readTimeoutMs,
    connections: 1,
    pipelining: 0,
  });
}

export async function fetchToTempFile(rawUrl: string, opts: UrlFetchOptions = {}): Promise<FetchedFile> {
  const total = withTotalTimeout(rawUrl, opts);
  const settings: Settings = {
    connectTimeoutMs: opts.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
    readTimeoutMs: opts.readTimeoutMs ?? DEFAULTS.readTimeoutMs,
    allowPrivate: opts.allowPrivate ?? true,
  };
  const dispatcher = dispatcherFor(settings);
  try {
    return await fetchWithin(rawUrl, { ...opts, signal: total.signal }, settings, dispatcher);
  } finally {
    total.dispose();
    dispatcher.destroy().catch(() => {});
  }
}

async function fetchWithin(
  rawUrl: string,
  opts: UrlFetchOptions,
  settings: Settings,
  dispatcher: Agent,
): Promise<FetchedFile> {
  const maxRedirects = opts.maxRedirects ?? DEFAULTS.maxRedirects;
  if (opts.signal?.aborted) throw abortError(opts.signal);
  let url = parseAllowedUrl(rawUrl);
  for (let hop = 0; ; hop++) {
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (!settings.allowPrivate && isIP(literal) && isPrivateAddress(literal)) throw refusePrivate(literal);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        dispatcher,
        method: 'GET',
        headers: { 'user-agent': 'Earshot', accept: '*/*', 'accept-encoding': 'identity' },
        signal: opts.signal,
      });
    } catch (e) {
      if (opts.signal?.aborted) throw abortError(opts.signal);
      throw describeNetworkError(e, url, settings);
    }
    const status = res.statusCode;
    const location = res.headers.location;
    if (status >= 300 && status < 400 && typeof location === 'string') {
      discard(res.body);
      if (hop >= maxRedirects) {
        throw new EarshotError(
          'URL_FETCH_FAILED',
          `Could not download ${rawUrl}: too many redirects (more than ${maxRedirects})`,
          { reason: 'too_many_redirects' },
        );
      }
      url = parseAllowedUrl(new URL(location, url).href);
      continue;
    }
    if (status < 200 || status >= 300) {
      discard(res.body);
      const text = STATUS_CODES[status];
      throw new EarshotError(
        'URL_FETCH_FAILED',
        `Could not download ${url.origin}${url.pathname}: HTTP status ${status}${text ? ` ${text}` : ''}`,
        { reason: 'http_status', status },
      );
    }
    return saveBody(res, url, opts, settings);
  }
}

async function saveBody(
  res: Dispatcher.ResponseData,
  url: URL,
  opts: UrlFetchOptions,
  settings: Settings,
): Promise<FetchedFile> {
  const declared = Number(res.headers['content-length']);
  const total = Number.isFinite(declared) && declared >= 0 ? declared : undefined;
  if (opts.maxBytes !== undefined && total !== undefined && total > opts.maxBytes) {
    discard(res.body);
    throw tooLarge(opts.maxBytes);
  }
  // A bare file (no folder of its own), so a caller that simply deletes `path` leaves nothing behind either.
  const file = path.join(os.tmpdir(), `earshot-url-${randomUUID()}`);
  const cleanup = () => rm(file, { force: true });
  let received = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      received += chunk.length;
      if (opts.maxBytes !== undefined && received > opts.maxBytes) return done(tooLarge(opts.maxBytes));
      opts.onProgress?.(received, total);
      done(null, chunk);
    },
  });
  // Piped at once (no await before): undici fails an assertion when the server ends a body nobody reads yet.
  const out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
  try {
    await pipeline(res.body, count, out, { signal: opts.signal });
    if (total !== undefined && received < total) {
      throw new EarshotError(
        'URL_FETCH_FAILED',
        `Could not download ${url.origin}: the server sent ${received} of ${total} bytes`,
        { reason: 'incomplete' },
      );
    }
  } catch (e) {
    discard(res.body);
    // A write stream still opening its file when the download failed creates it afterwards: delete it only once the
    // stream has closed, or the new empty file stays in the temp folder.
    if (!out.closed) await once(out, 'close').catch(() => {});
    await cleanup();
    if (opts.signal?.aborted) throw abortError(opts.signal);
    throw describeNetworkError(e, url, settings);
  }
  const type = res.headers['content-type'];
  return { path: file, bytes: received, contentType: Array.isArray(type) ? type[0] : type, cleanup };
}

function tooLarge(maxBytes: number): EarshotError {
  return new EarshotError('FILE_TOO_LARGE', `The download is larger than the ${maxBytes}-byte limit`, {
    max_bytes: maxBytes,
  });
}
