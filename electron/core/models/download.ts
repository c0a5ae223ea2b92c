/**
 * Downloads a set of repository files from a Hugging Face style endpoint
 * (`$HF_ENDPOINT/<repo>/resolve/<revision>/<path>`) into a partial folder, one file at a time:
 * - resumable: bytes already on disk are kept and the rest is asked for with `Range`;
 * - retried with exponential backoff on network errors, 5xx/429 and stalls (no byte for `stallTimeoutMs`);
 * - verified: SHA-256 from the catalog or the `X-Linked-ETag` the Hub sends for large (LFS) files, otherwise the git
 *   blob id the Hub sends as `ETag` for small files; a mismatch deletes the file and fails with CHECKSUM_MISMATCH;
 * - proxy-aware: undici's EnvHttpProxyAgent honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY;
 * - cancellable (AbortSignal → CANCELLED) with progress (bytes, speed, ETA).
 * `checkRemoteFiles` asks for the headers of every file first (HEAD), so a missing file or a hash that differs from the
 * pinned one is reported by name before any byte is downloaded.
 * Installing the verified files is the caller's job (see install.ts); nothing here touches the models folder itself.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { type Dispatcher, EnvHttpProxyAgent, fetch } from 'undici';
import { EarshotError, isEarshotError, throwIfAborted } from '../errors.ts';
import { formatBytes } from '../format/sizes.ts';
import { withRetries } from '../retry.ts';
import { writeJsonAtomic } from '../fs-atomic.ts';

export const DEFAULT_HF_ENDPOINT = 'https://huggingface.co';

export interface RemoteFile {
  path: string;
  size?: number;
  sha256?: string;
}

export interface TransferProgress {
  receivedBytes: number;
  totalBytes: number;
  bytesPerSecond: number;
  etaSeconds?: number;
  file: string;
}

export interface DownloadOptions {
  repo: string;
  revision: string;
  files: RemoteFile[];
  /** Folder for the files in progress and the verified ones; kept across runs so a later call resumes. */
  partialDir: string;
  /** Defaults to HF_ENDPOINT or https://huggingface.co. */
  endpoint?: string;
  signal?: AbortSignal;
  onProgress?: (p: TransferProgress) => void;
  /** Attempts per file after the first one (default 5). */
  retries?: number;
  /** First backoff delay; doubles each retry up to 30 s (default 1000 ms). */
  backoffMs?: number;
  /** No byte for this long counts as a stall: abort the request and retry (default 30 s). */
  stallTimeoutMs?: number;
  /** Free bytes on the disk holding `partialDir` (default: fs.statfs). Injected by tests. */
  freeSpace?: (dir: string) => Promise<number>;
  /** Bytes kept free on top of the download (default 64 MiB). */
  reserveBytes?: number;
  dispatcher?: Dispatcher;
  /** Bearer token for gated/private repositories (HF_TOKEN); never logged. */
  token?: string;
}

export interface DownloadedFile {
  path: string;
  size: number;
  /** How the file was checked: 'sha256' (catalog or X-Linked-ETag), 'git-blob' (ETag), or 'none' (no hash offered). */
  verifiedBy: 'sha256' | 'git-blob' | 'none';
}

/** Sidecar kept next to a partial file: what the server promised, so a resume never mixes two versions. */
interface PartialMeta {
  url: string;
  expect?: Expectation;
  size?: number;
}

interface Expectation {
  kind: 'sha256' | 'git-blob';
  hex: string;
}

export function hfEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return (env.HF_ENDPOINT || DEFAULT_HF_ENDPOINT).replace(/\/+$/, '');
}

export function resolveUrl(endpoint: string, repo: string, revision: string, file: string): string {
  const encoded = file.split('/').map(encodeURIComponent).join('/');
  return `${endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${encoded}`;
}

export async function statfsFree(dir: string): Promise<number> {
  let probe = dir;
  while (!existsSync(probe)) probe = path.dirname(probe);
  const s = await fs.statfs(probe);
  return s.bavail * s.bsize;
}

const DONE_MARK = '.verified.json';

type FetchResponse = Awaited<ReturnType<typeof fetch>>;

/** Downloads every file that is not already verified in `partialDir`. Returns how each file was checked. */
export async function downloadFiles(options: DownloadOptions): Promise<DownloadedFile[]> {
  const endpoint = (options.endpoint ?? hfEndpoint()).replace(/\/+$/, '');
  const dispatcher = options.dispatcher ?? new EnvHttpProxyAgent();
  const meter = new ProgressMeter(options.onProgress);
  await fs.mkdir(options.partialDir, { recursive: true });

  // Size the job: what is already here counts as received; the rest must fit on the disk.
  const totals = new Map<string, number>();
  let have = 0;
  for (const f of options.files) {
    const local = await localState(options.partialDir, f.path);
    totals.set(f.path, local.done ? local.bytes : Math.max(f.size ?? 0, local.bytes));
    have += local.bytes;
  }
  meter.start(have, totals);
  await ensureSpace(options, meter.totalBytes - have);

  const results: DownloadedFile[] = [];
  for (const file of options.files) {
    throwIfAborted(options.signal);
    const done = await readDone(options.partialDir, file.path);
    if (done) {
      results.push(done);
      continue;
    }
    const url = resolveUrl(endpoint, options.repo, options.revision, file.path);
    results.push(await downloadWithRetries(url, file, options, dispatcher, meter));
  }
  meter.finish();
  return results;
}

export interface RemoteCheck {
  path: string;
  /** ok: present (and, with a pinned hash, announcing it); missing: 404; mismatch: another hash; error: anything else. */
  state: 'ok' | 'missing' | 'mismatch' | 'error';
  httpStatus?: number;
  /** Size the server reports (X-Linked-Size or Content-Length). */
  size?: number;
  /** The SHA-256 the server announces, when it announces one. */
  sha256?: string;
  detail?: string;
}

export type CheckOptions = Pick<DownloadOptions, 'repo' | 'revision' | 'files' | 'endpoint' | 'signal' | 'token'> & {
  dispatcher?: Dispatcher;
  /** Per request (default 30 s). */
  timeoutMs?: number;
};

/**
 * Asks the server for the headers of every file (HEAD, redirects followed by hand as for downloads), a few at a time.
 * Nothing is downloaded. A server that refuses HEAD (405/501) counts as ok: the download will tell.
 */
export async function checkRemoteFiles(options: CheckOptions): Promise<RemoteCheck[]> {
  const endpoint = (options.endpoint ?? hfEndpoint()).replace(/\/+$/, '');
  const dispatcher = options.dispatcher ?? new EnvHttpProxyAgent();
  const results: RemoteCheck[] = new Array(options.files.length);
  let next = 0;
  const worker = async () => {
    while (next < options.files.length) {
      const i = next++;
      const file = options.files[i] as RemoteFile;
      results[i] = await checkOne(
        resolveUrl(endpoint, options.repo, options.revision, file.path),
        file,
        options,
        dispatcher,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, options.files.length) }, worker));
  return results;
}

async function checkOne(
  url: string,
  file: RemoteFile,
  options: CheckOptions,
  dispatcher: Dispatcher,
): Promise<RemoteCheck> {
  throwIfAborted(options.signal);
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    const { res, headers } = await request(url, 0, options, dispatcher, signal, 'HEAD');
    await res.body?.cancel().catch(() => {});
    if (res.status === 404)
      return { path: file.path, state: 'missing', httpStatus: 404, detail: unquote(headers.get('x-error-code')) };
    if (res.status === 405 || res.status === 501) return { path: file.path, state: 'ok', httpStatus: res.status };
    if (!res.ok) return { path: file.path, state: 'error', httpStatus: res.status, detail: `HTTP ${res.status}` };
    const size = Number(headers.get('x-linked-size') ?? headers.get('content-length') ?? Number.NaN);
    const announced = announcedHash(headers);
    const sha256 = announced?.kind === 'sha256' ? announced.hex : undefined;
    const base = { path: file.path, httpStatus: res.status, size: Number.isFinite(size) ? size : undefined, sha256 };
    if (file.sha256 && sha256 && sha256 !== file.sha256.toLowerCase()) {
      return {
        ...base,
        state: 'mismatch',
        detail: `the server announces sha256 ${sha256}, the catalog pins ${file.sha256}`,
      };
    }
    return { ...base, state: 'ok' };
  } catch (e) {
    if (options.signal?.aborted) throw new EarshotError('CANCELLED', 'Download cancelled');
    const cause = e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);
    return { path: file.path, state: 'error', detail: cause };
  }
}

async function downloadWithRetries(
  url: string,
  file: RemoteFile,
  options: DownloadOptions,
  dispatcher: Dispatcher,
  meter: ProgressMeter,
): Promise<DownloadedFile> {
  let attempts = 0;
  try {
    return await withRetries(
      () => {
        attempts++;
        return downloadOnce(url, file, options, dispatcher, meter);
      },
      {
        retries: options.retries ?? 5,
        baseMs: options.backoffMs ?? 1000,
        maxMs: 30_000,
        shouldRetry: isRetryable,
        signal: options.signal,
      },
    );
  } catch (e) {
    // A cancel during the wait between attempts (the attempt itself says the same).
    if (options.signal?.aborted && isEarshotError(e, 'CANCELLED'))
      throw new EarshotError('CANCELLED', 'Download cancelled');
    throw finalError(e, url, attempts);
  }
}

/** One request: resume from what is on disk, stream to the .part file, verify when the last byte arrives. */
async function downloadOnce(
  url: string,
  file: RemoteFile,
  options: DownloadOptions,
  dispatcher: Dispatcher,
  meter: ProgressMeter,
): Promise<DownloadedFile> {
  const partFile = path.join(options.partialDir, `${file.path}.part`);
  const metaFile = path.join(options.partialDir, `${file.path}.part.json`);
  await fs.mkdir(path.dirname(partFile), { recursive: true });
  let offset = await fileSize(partFile);
  const meta = offset > 0 ? await readMeta(metaFile) : undefined;
  if (offset > 0 && meta?.url !== url) offset = await restart(partFile, meter, offset);

  const stall = new StallWatchdog(options.stallTimeoutMs ?? 30_000);
  const signal = options.signal ? AbortSignal.any([options.signal, stall.signal]) : stall.signal;
  try {
    const { res, headers } = await request(url, offset, options, dispatcher, signal);
    const expect = expectationFor(file, headers);
    const remoteSize = sizeFrom(res.status, headers, offset);
    if (res.status === 416 && offset > 0) {
      // We may already hold the whole file (e.g. killed between the last byte and verification).
      if (meta?.size === offset) return await finish(partFile, metaFile, file, options, meter, meta.expect);
      await restart(partFile, meter, offset);
      throw new RetryableError(`the server refused to resume ${file.path}; starting again`);
    }
    if (!res.ok) throw httpError(res.status, url);
    if (offset > 0 && res.status === 200) {
      // The server ignored Range and sends the whole file: take it from the first byte.
      offset = await restart(partFile, meter, offset);
    } else if (offset > 0 && (changed(meta?.expect, expect) || rangeStart(headers) !== offset)) {
      // The file changed on the server since the partial was written (or the range is not ours): this body is the
      // tail of something else, so drop both and ask again from zero.
      await res.body?.cancel().catch(() => {});
      await restart(partFile, meter, offset);
      throw new RetryableError(`${file.path} changed on the server since the partial download; starting again`);
    }
    if (remoteSize !== undefined) meter.setFileTotal(file.path, remoteSize);
    if (remoteSize !== undefined && offset === 0) await ensureSpace(options, remoteSize - offset);
    await writeJsonAtomic(metaFile, { url, expect, size: remoteSize } satisfies PartialMeta);

    const out = await fs.open(partFile, offset > 0 ? 'a' : 'w');
    try {
      if (!res.body) throw new RetryableError(`empty response body for ${file.path}`);
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        stall.kick();
        await out.write(chunk);
        offset += chunk.byteLength;
        meter.add(chunk.byteLength, file.path);
      }
    } finally {
      await out.close();
    }
    if (remoteSize !== undefined && offset !== remoteSize) {
      throw new RetryableError(`connection closed after ${offset} of ${remoteSize} bytes of ${file.path}`);
    }
    return await finish(partFile, metaFile, file, options, meter, expect);
  } catch (e) {
    if (stall.fired) throw new StallError(`no data for ${stall.ms} ms while downloading ${file.path}`);
    if (options.signal?.aborted) throw new EarshotError('CANCELLED', 'Download cancelled');
    throw e;
  } finally {
    stall.stop();
  }
}

async function request(
  url: string,
  offset: number,
  options: Pick<DownloadOptions, 'token'>,
  dispatcher: Dispatcher,
  signal: AbortSignal,
  method: 'GET' | 'HEAD' = 'GET',
): Promise<{ res: FetchResponse; headers: Headers }> {
  // Follow redirects by hand: the Hub puts X-Linked-ETag/X-Linked-Size on the 302 that points to its CDN, and the
  // token must not travel to another host.
  let current = url;
  const linked: Record<string, string> = {};
  for (let hop = 0; hop < 6; hop++) {
    const headers: Record<string, string> = { 'accept-encoding': 'identity', 'user-agent': 'earshot-model-manager' };
    if (offset > 0) headers.range = `bytes=${offset}-`;
    if (options.token && new URL(current).origin === new URL(url).origin) {
      headers.authorization = `Bearer ${options.token}`;
    }
    const res = await fetch(current, { method, headers, redirect: 'manual', signal, dispatcher });
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      for (const h of ['x-linked-etag', 'x-linked-size', 'etag']) {
        const v = res.headers.get(h);
        if (v && !linked[h]) linked[h] = v;
      }
      await res.body?.cancel().catch(() => {});
      current = new URL(location, current).toString();
      continue;
    }
    // Headers from the redirect win over the CDN's own ETag.
    const merged = new Headers(res.headers);
    for (const [k, v] of Object.entries(linked)) merged.set(k, v);
    return { res, headers: merged };
  }
  throw new EarshotError('DOWNLOAD_FAILED', `Too many redirects for ${url}`);
}

async function finish(
  partFile: string,
  metaFile: string,
  file: RemoteFile,
  options: DownloadOptions,
  meter: ProgressMeter,
  expect: Expectation | undefined,
): Promise<DownloadedFile> {
  meter.verifying(file.path);
  const size = await fileSize(partFile);
  if (file.sha256 && !expect) expect = { kind: 'sha256', hex: file.sha256 };
  if (expect) {
    const actual = await hashFile(partFile, expect.kind, size);
    if (actual !== expect.hex) {
      await fs.rm(partFile, { force: true });
      await fs.rm(metaFile, { force: true });
      throw new EarshotError(
        'CHECKSUM_MISMATCH',
        `${file.path} failed verification: expected ${expect.kind} ${expect.hex}, got ${actual}; the file was deleted`,
        { file: file.path },
      );
    }
  }
  const target = path.join(options.partialDir, file.path);
  await fs.rename(partFile, target);
  const done: DownloadedFile = { path: file.path, size, verifiedBy: expect?.kind ?? 'none' };
  await writeJsonAtomic(path.join(options.partialDir, `${file.path}${DONE_MARK}`), done);
  await fs.rm(metaFile, { force: true });
  return done;
}

/** The catalog's hash wins; else the Hub's X-Linked-ETag (SHA-256 of an LFS file); else ETag as a git blob id. */
function expectationFor(file: RemoteFile, headers: Headers): Expectation | undefined {
  if (file.sha256) return { kind: 'sha256', hex: file.sha256.toLowerCase() };
  return announcedHash(headers);
}

/** The hash the server announces for a file: X-Linked-ETag (LFS SHA-256), else ETag (SHA-256 or git blob id). */
function announcedHash(headers: Headers): Expectation | undefined {
  const linked = unquote(headers.get('x-linked-etag'));
  if (linked && /^[0-9a-f]{64}$/i.test(linked)) return { kind: 'sha256', hex: linked.toLowerCase() };
  const etag = unquote(headers.get('etag'));
  if (etag && /^[0-9a-f]{64}$/i.test(etag)) return { kind: 'sha256', hex: etag.toLowerCase() };
  if (etag && /^[0-9a-f]{40}$/i.test(etag)) return { kind: 'git-blob', hex: etag.toLowerCase() };
  return undefined;
}

function changed(before: Expectation | undefined, now: Expectation | undefined): boolean {
  return before !== undefined && now !== undefined && before.hex !== now.hex;
}

function unquote(v: string | null): string | undefined {
  return v?.replace(/^W\//, '').replace(/^"|"$/g, '') || undefined;
}

function rangeStart(headers: Headers): number | undefined {
  const m = headers.get('content-range')?.match(/^bytes (\d+)-/);
  return m ? Number(m[1]) : undefined;
}

/** Full size of the remote file from Content-Range, X-Linked-Size or Content-Length. */
function sizeFrom(status: number, headers: Headers, offset: number): number | undefined {
  const range = headers.get('content-range')?.match(/\/(\d+)$/);
  if (status === 206 && range) return Number(range[1]);
  const length = headers.get('content-length');
  if (status === 200 && length !== null) return Number(length);
  const linked = headers.get('x-linked-size');
  if (linked !== null) return Number(linked);
  return status === 206 && length !== null ? offset + Number(length) : undefined;
}

async function hashFile(file: string, kind: Expectation['kind'], size: number): Promise<string> {
  const hash = createHash(kind === 'sha256' ? 'sha256' : 'sha1');
  if (kind === 'git-blob') hash.update(`blob ${size}\0`);
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function ensureSpace(options: DownloadOptions, needBytes: number): Promise<void> {
  if (needBytes <= 0) return;
  const free = await (options.freeSpace ?? statfsFree)(options.partialDir);
  const reserve = options.reserveBytes ?? 64 * 1024 * 1024;
  if (free < needBytes + reserve) {
    throw new EarshotError(
      'DISK_FULL',
      `Not enough disk space: the download needs ${formatBytes(needBytes)} (+${formatBytes(reserve)} reserve) but only ${formatBytes(free)} is free`,
      { needBytes, freeBytes: free },
    );
  }
}

async function localState(dir: string, file: string): Promise<{ bytes: number; done: boolean }> {
  const done = await readDone(dir, file);
  if (done) return { bytes: done.size, done: true };
  return { bytes: await fileSize(path.join(dir, `${file}.part`)), done: false };
}

async function readDone(dir: string, file: string): Promise<DownloadedFile | undefined> {
  try {
    const done = JSON.parse(await fs.readFile(path.join(dir, `${file}${DONE_MARK}`), 'utf8')) as DownloadedFile;
    return (await fileSize(path.join(dir, file))) === done.size ? done : undefined;
  } catch {
    return undefined;
  }
}

async function readMeta(file: string): Promise<PartialMeta | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as PartialMeta;
  } catch {
    return undefined;
  }
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await fs.stat(file)).size;
  } catch {
    return 0;
  }
}

async function restart(partFile: string, meter: ProgressMeter, had: number): Promise<number> {
  await fs.rm(partFile, { force: true });
  meter.add(-had, path.basename(partFile));
  return 0;
}

class RetryableError extends Error {}
class StallError extends RetryableError {}

class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
  ) {
    super(`HTTP ${status} for ${url}`);
  }
}

function httpError(status: number, url: string): Error {
  return new HttpStatusError(status, url);
}

function isRetryable(e: unknown): boolean {
  if (isEarshotError(e)) return false;
  if (e instanceof HttpStatusError) return e.status >= 500 || e.status === 429 || e.status === 408;
  // Everything else is the network: resets, refused connections, DNS, TLS, stalls, short bodies.
  return true;
}

function finalError(e: unknown, url: string, attempts: number): Error {
  if (isEarshotError(e)) return e;
  const tries = `after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
  if (e instanceof StallError) return new EarshotError('TIMEOUT', `Download stalled ${tries}: ${e.message}`);
  if (e instanceof HttpStatusError) {
    const what = e.status === 404 ? 'not found on the server' : `refused by the server (HTTP ${e.status})`;
    return new EarshotError('DOWNLOAD_FAILED', `Download failed: ${e.url} ${what}`, { httpStatus: e.status });
  }
  const cause = e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);
  return new EarshotError('DOWNLOAD_FAILED', `Download failed ${tries}: ${url}: ${cause}`, {}, { cause: e });
}

/** Aborts its signal when `kick()` has not been called for `ms`. */
class StallWatchdog {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout;
  fired = false;
  constructor(readonly ms: number) {
    this.timer = this.arm();
  }
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  kick(): void {
    clearTimeout(this.timer);
    this.timer = this.arm();
  }
  stop(): void {
    clearTimeout(this.timer);
  }
  private arm(): NodeJS.Timeout {
    return setTimeout(() => {
      this.fired = true;
      this.controller.abort(new Error('stalled'));
    }, this.ms);
  }
}

/** Bytes, speed over the last few seconds, and ETA; reports at most five times a second. */
class ProgressMeter {
  private received = 0;
  private totals = new Map<string, number>();
  private samples: { t: number; bytes: number }[] = [];
  private lastReport = 0;
  private file = '';
  constructor(private readonly report?: (p: TransferProgress) => void) {}

  get totalBytes(): number {
    let sum = 0;
    for (const v of this.totals.values()) sum += v;
    return sum;
  }
  start(received: number, totals: Map<string, number>): void {
    this.received = received;
    this.totals = totals;
    this.samples = [{ t: Date.now(), bytes: received }];
    this.emit(true);
  }
  /** Replace the catalog's estimate for a file with the size the server reports. */
  setFileTotal(file: string, actual: number): void {
    this.totals.set(file, actual);
  }
  add(bytes: number, file: string): void {
    this.received += bytes;
    this.file = file;
    this.emit(false);
  }
  verifying(file: string): void {
    this.file = file;
    this.emit(true);
  }
  finish(): void {
    this.emit(true);
  }
  private emit(force: boolean): void {
    if (!this.report) return;
    const now = Date.now();
    if (!force && now - this.lastReport < 200) return;
    this.lastReport = now;
    this.samples.push({ t: now, bytes: this.received });
    while (this.samples.length > 2 && now - (this.samples[0]?.t ?? now) > 5000) this.samples.shift();
    const first = this.samples[0] ?? { t: now, bytes: this.received };
    const seconds = (now - first.t) / 1000;
    const bytesPerSecond = seconds > 0.2 ? Math.max(0, (this.received - first.bytes) / seconds) : 0;
    const total = Math.max(this.totalBytes, this.received);
    const etaSeconds = bytesPerSecond > 0 ? Math.ceil((total - this.received) / bytesPerSecond) : undefined;
    this.report({ receivedBytes: this.received, totalBytes: total, bytesPerSecond, etaSeconds, file: this.file });
  }
}
