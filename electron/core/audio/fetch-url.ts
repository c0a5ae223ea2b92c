/**
 * URL sources: streamed download to a temp file with a size cap, connect/read timeouts, a redirect limit, progress
 * and cancellation. Only http and https. When private targets are refused, the check runs on the address the socket
 * actually connects to (inside DNS lookup), on every hop, so neither redirects nor DNS tricks get around it.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import dns from 'node:dns';
import os from 'node:os';
import path from 'node:path';
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

function describeNetworkError(e: NodeJS.ErrnoException, url: URL): EarshotError {
  if (e instanceof EarshotError) return e;
  const host = url.host;
  const reasons: Record<string, string> = {
    ENOTFOUND: `DNS lookup failed for ${url.hostname}`,
    EAI_AGAIN: `DNS lookup failed for ${url.hostname} (temporary failure)`,
    ECONNREFUSED: `connection refused by ${host}`,
    ECONNRESET: `connection reset by ${host}`,
    EHOSTUNREACH: `host ${host} is unreachable`,
    ENETUNREACH: `network unreachable for ${host}`,
    EPIPE: `connection to ${host} closed`,
  };
  const reason =
    reasons[e.code ?? ''] ??
    (/certificate|SSL|TLS/i.test(e.message) ? `TLS error with ${host}: ${e.message}` : e.message);
  // The whole address (not only the host): a user with several links needs to see which one failed.
  return new EarshotError('URL_FETCH_FAILED', `Could not download ${url.origin}${url.pathname}: ${reason}`, {
    reason: e.code ?? 'network',
  });
}

interface Response {
  res: http.IncomingMessage;
  req: http.ClientRequest;
}

/** One request; resolves with the response headers or rejects with a specific error. */
function request(
  url: URL,
  opts: Required<Pick<UrlFetchOptions, 'connectTimeoutMs' | 'readTimeoutMs' | 'allowPrivate'>>,
  signal?: AbortSignal,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (!opts.allowPrivate && isIP(literal) && isPrivateAddress(literal)) return reject(refusePrivate(literal));
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, {
      method: 'GET',
      agent: false,
      lookup: guardedLookup(opts.allowPrivate),
      headers: { 'user-agent': 'Earshot', accept: '*/*', 'accept-encoding': 'identity' },
    });
    let settled = false;
    const finish = (error: unknown, value?: Response) => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      signal?.removeEventListener('abort', onAbort);
      if (error) {
        req.destroy();
        reject(error);
      } else resolve(value!);
    };
    const connectTimer = setTimeout(() => {
      finish(
        new EarshotError(
          'URL_FETCH_FAILED',
          `Could not download ${url.origin}: connect timed out after ${opts.connectTimeoutMs} ms`,
          { reason: 'connect_timeout' },
        ),
      );
    }, opts.connectTimeoutMs);
    const onAbort = () => finish(abortError(signal));
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('socket', (socket) => {
      const connected = () => {
        clearTimeout(connectTimer);
        // From here on, any silence longer than the read timeout fails the download.
        socket.setTimeout(opts.readTimeoutMs);
      };
      socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', connected);
      socket.on('timeout', () => {
        const error = new EarshotError(
          'URL_FETCH_FAILED',
          `Could not download ${url.origin}: no data received for ${opts.readTimeoutMs} ms (read timeout)`,
          { reason: 'read_timeout' },
        );
        if (!settled) finish(error);
        socket.destroy(error);
      });
    });
    req.on('error', (e) => finish(describeNetworkError(e, url)));
    req.on('response', (res) => finish(null, { res, req }));
    req.end();
  });
}

export async function fetchToTempFile(rawUrl: string, opts: UrlFetchOptions = {}): Promise<FetchedFile> {
  const total = withTotalTimeout(rawUrl, opts);
  try {
    return await fetchWithin(rawUrl, { ...opts, signal: total.signal });
  } finally {
    total.dispose();
  }
}

async function fetchWithin(rawUrl: string, opts: UrlFetchOptions): Promise<FetchedFile> {
  const settings = {
    connectTimeoutMs: opts.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
    readTimeoutMs: opts.readTimeoutMs ?? DEFAULTS.readTimeoutMs,
    allowPrivate: opts.allowPrivate ?? true,
  };
  const maxRedirects = opts.maxRedirects ?? DEFAULTS.maxRedirects;
  if (opts.signal?.aborted) throw abortError(opts.signal);
  let url = parseAllowedUrl(rawUrl);
  let response: Response;
  for (let hop = 0; ; hop++) {
    response = await request(url, settings, opts.signal);
    const { res } = response;
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      response.req.destroy();
      if (hop >= maxRedirects) {
        throw new EarshotError(
          'URL_FETCH_FAILED',
          `Could not download ${rawUrl}: too many redirects (more than ${maxRedirects})`,
          { reason: 'too_many_redirects' },
        );
      }
      url = parseAllowedUrl(new URL(res.headers.location, url).href);
      continue;
    }
    if (status < 200 || status >= 300) {
      res.resume();
      response.req.destroy();
      throw new EarshotError(
        'URL_FETCH_FAILED',
        `Could not download ${url.origin}${url.pathname}: HTTP status ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`,
        { reason: 'http_status', status },
      );
    }
    break;
  }
  return saveBody(response, url, opts);
}

async function saveBody({ res, req }: Response, url: URL, opts: UrlFetchOptions): Promise<FetchedFile> {
  const declared = Number(res.headers['content-length']);
  const total = Number.isFinite(declared) && declared >= 0 ? declared : undefined;
  if (opts.maxBytes !== undefined && total !== undefined && total > opts.maxBytes) {
    req.destroy();
    throw tooLarge(opts.maxBytes);
  }
  // A bare file (no folder of its own), so a caller that simply deletes `path` leaves nothing behind either.
  const file = path.join(os.tmpdir(), `earshot-url-${randomUUID()}`);
  const cleanup = () => rm(file, { force: true });
  let received = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
      let failed = false;
      const fail = (error: unknown) => {
        if (failed) return;
        failed = true;
        opts.signal?.removeEventListener('abort', onAbort);
        req.destroy();
        res.destroy();
        out.destroy();
        out.once('close', () => reject(error));
      };
      const onAbort = () => fail(abortError(opts.signal));
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      // request() arms the socket's read timeout; name the failure here before the socket's teardown does.
      res.socket.on('timeout', () =>
        fail(
          new EarshotError(
            'URL_FETCH_FAILED',
            `Could not download ${url.origin}: the transfer stalled (read timeout)`,
            { reason: 'read_timeout' },
          ),
        ),
      );
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (opts.maxBytes !== undefined && received > opts.maxBytes) return fail(tooLarge(opts.maxBytes));
        opts.onProgress?.(received, total);
        if (!out.write(chunk)) {
          res.pause();
          out.once('drain', () => res.resume());
        }
      });
      res.on('error', (e) => fail(describeNetworkError(e, url)));
      res.on('aborted', () =>
        fail(
          new EarshotError(
            'URL_FETCH_FAILED',
            `Could not download ${url.origin}: the server closed the connection early`,
            { reason: 'incomplete' },
          ),
        ),
      );
      res.on('end', () => {
        if (failed) return;
        if (total !== undefined && received < total) {
          return fail(
            new EarshotError(
              'URL_FETCH_FAILED',
              `Could not download ${url.origin}: the server sent ${received} of ${total} bytes`,
              { reason: 'incomplete' },
            ),
          );
        }
        opts.signal?.removeEventListener('abort', onAbort);
        out.end(() => resolve());
      });
      out.on('error', (e) => fail(e));
    });
  } catch (e) {
    await cleanup();
    throw e;
  }
  const contentType = res.headers['content-type'];
  return { path: file, bytes: received, contentType, cleanup };
}

function tooLarge(maxBytes: number): EarshotError {
  return new EarshotError('FILE_TOO_LARGE', `The download is larger than the ${maxBytes}-byte limit`, {
    max_bytes: maxBytes,
  });
}
