/**
 * A local stand-in for the Hugging Face Hub's `resolve` endpoint, serving a fixture folder at one revision with Range
 * support and the Hub's headers: large files (.onnx, .onnx_data) answer with a 302 carrying X-Linked-ETag (SHA-256)
 * and X-Linked-Size, then the bytes from /cdn/...; small files answer directly with their git blob id as ETag. HEAD
 * answers the same headers without a body. Faults are injected per file.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface Faults {
  /**
   * Close the connection after sending this many bytes of the file (once per entry; decremented); `when` (if given)
   * holds the drop until it resolves, e.g. until the client has stored the bytes.
   */
  dropAfter?: Map<string, { bytes: number; times: number; when?: () => Promise<unknown> }>;
  /** Flip one byte in the middle of the body. */
  corrupt?: Set<string>;
  /** Send the headers and this many bytes, then go silent. */
  stall?: Map<string, number>;
  /** Answer 404. */
  missing?: Set<string>;
  /** Answer 404 to GET only: the file disappears between the HEAD check and the download. */
  vanish?: Set<string>;
  /** Serve these bytes instead of the fixture's (headers describe them: a different file, honestly announced). */
  replace?: Map<string, Buffer>;
  /** Send no hash headers (no X-Linked-ETag, no ETag), as a plain mirror may. */
  noHashHeaders?: Set<string>;
}

export interface HubServer {
  url: string;
  faults: Faults;
  /** Every request: method, path and Range header. */
  log: { method: string; path: string; range?: string; status: number }[];
  close(): Promise<void>;
}

export async function startHub(root: string, repo: string, revision = 'main'): Promise<HubServer> {
  const faults: Faults = {
    dropAfter: new Map(),
    corrupt: new Set(),
    stall: new Map(),
    missing: new Set(),
    vanish: new Set(),
    replace: new Map(),
    noHashHeaders: new Set(),
  };
  const log: HubServer['log'] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const prefix = `/${repo}/resolve/${revision}/`;
    const cdn = url.pathname.startsWith('/cdn/');
    const rel = decodeURIComponent(cdn ? url.pathname.slice(5) : url.pathname.slice(prefix.length));
    const head = req.method === 'HEAD';
    const entry = { method: req.method ?? 'GET', path: url.pathname, range: req.headers.range, status: 200 };
    log.push(entry);
    const send = (status: number, headers: Record<string, string | number> = {}, body?: Buffer) => {
      entry.status = status;
      res.writeHead(status, headers);
      res.end(body);
    };
    if (!cdn && !url.pathname.startsWith(prefix)) return send(404, { 'x-error-code': 'RevisionNotFound' });
    if (faults.missing?.has(rel) || (!head && faults.vanish?.has(rel))) {
      return send(404, { 'x-error-code': 'EntryNotFound' });
    }
    let data: Buffer;
    try {
      data = faults.replace?.get(rel) ?? readFileSync(path.join(root, rel));
    } catch {
      return send(404, { 'x-error-code': 'EntryNotFound' });
    }
    const large = /\.onnx(_data)?$/.test(rel);
    const hashes = !faults.noHashHeaders?.has(rel);
    if (large && !cdn) {
      const sha = createHash('sha256').update(data).digest('hex');
      const linked: Record<string, string> = hashes ? { 'x-linked-etag': `"${sha}"` } : {};
      return send(302, { location: `/cdn/${rel}`, ...linked, 'x-linked-size': data.length });
    }
    const headers: Record<string, string | number> = { 'accept-ranges': 'bytes' };
    if (!large && hashes) {
      const blob = createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
      headers.etag = `"${blob}"`;
    }
    if (head) return send(200, { ...headers, 'content-length': data.length });
    let body = data;
    if (faults.corrupt?.has(rel)) {
      body = Buffer.from(data);
      const mid = Math.floor(body.length / 2);
      body[mid] = (body[mid] ?? 0) ^ 0xff;
    }
    let start = 0;
    const range = req.headers.range?.match(/^bytes=(\d+)-$/);
    if (range) {
      start = Number(range[1]);
      if (start >= data.length) return send(416, { 'content-range': `bytes */${data.length}` });
      headers['content-range'] = `bytes ${start}-${data.length - 1}/${data.length}`;
    }
    const status = range ? 206 : 200;
    const slice = body.subarray(start);
    headers['content-length'] = slice.length;
    entry.status = status;
    res.writeHead(status, headers);
    const drop = faults.dropAfter?.get(rel);
    if (drop && drop.times > 0) {
      drop.times--;
      // Let the bytes reach the client before the connection dies, as on a real network drop.
      res.write(slice.subarray(0, drop.bytes), () => {
        const dropNow = () => res.socket?.destroy();
        if (drop.when) drop.when().then(dropNow, dropNow);
        else setTimeout(dropNow, 100);
      });
      return;
    }
    const stallAt = faults.stall?.get(rel);
    if (stallAt !== undefined) {
      res.write(slice.subarray(0, stallAt));
      return; // never ends; the client's stall timeout must fire
    }
    res.end(slice);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    faults,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
