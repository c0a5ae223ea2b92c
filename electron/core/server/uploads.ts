/**
 * Request bodies never sit in memory: uploads (raw or multipart) stream to a temp file under the size cap, which the
 * decoder then reads. The caller removes the file when the work ends.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { EarshotError } from '../errors.ts';
import type { AudioInput } from './transcriber.ts';

export function tooLarge(maxSizeMb: number): EarshotError {
  return new EarshotError('FILE_TOO_LARGE', 'Audio file too large', { max_size_mb: maxSizeMb });
}

export async function saveUpload(
  stream: Readable,
  dir: string,
  maxSizeMb: number,
  signal?: AbortSignal,
): Promise<{ path: string; bytes: number }> {
  const maxBytes = maxSizeMb * 1024 * 1024;
  const file = path.join(dir, `upload-${randomUUID()}`);
  let bytes = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) done(tooLarge(maxSizeMb));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(stream, cap, createWriteStream(file, { mode: 0o600 }), { signal });
  } catch (e) {
    await fs.rm(file, { force: true });
    throw e;
  }
  // busboy truncates at its own limit instead of failing; treat that as too large as well.
  if ((stream as Readable & { truncated?: boolean }).truncated) {
    await fs.rm(file, { force: true });
    throw tooLarge(maxSizeMb);
  }
  if (bytes === 0) {
    await fs.rm(file, { force: true });
    throw new EarshotError('MISSING_PARAMETER', 'Missing required parameter: url or audio file (the body is empty)');
  }
  return { path: file, bytes };
}

export interface ReadInput {
  input?: AudioInput;
  /** Option fields sent with the audio (multipart form fields). */
  fields: Record<string, string>;
  cleanup: () => Promise<void>;
}

/** Refuses declared bodies over the cap before reading a byte of them. */
export function checkContentLength(request: FastifyRequest, maxSizeMb: number): void {
  const declared = Number(request.headers['content-length']);
  // Multipart carries a little framing on top of the file; allow for it.
  if (Number.isFinite(declared) && declared > maxSizeMb * 1024 * 1024 + 64 * 1024) throw tooLarge(maxSizeMb);
}

/** Reads multipart: the file in `audio` (or `file`), option fields alongside, in any order. */
export async function readMultipart(
  request: FastifyRequest,
  dir: string,
  maxSizeMb: number,
  signal: AbortSignal,
): Promise<ReadInput> {
  const fields: Record<string, string> = {};
  let saved: { path: string; bytes: number } | undefined;
  const cleanup = async () => {
    if (saved) await fs.rm(saved.path, { force: true });
  };
  try {
    // Waiting for the next part is bounded by the request budget too (a client may stall between parts).
    for await (const part of untilAborted(request.parts(), signal)) {
      if (part.type === 'file') {
        if ((part.fieldname !== 'audio' && part.fieldname !== 'file') || saved) {
          part.file.resume();
          throw new EarshotError(
            'INVALID_PARAMETER',
            `Unexpected file field '${part.fieldname}': send one file in 'audio'`,
            {
              parameter: part.fieldname,
            },
          );
        }
        saved = await saveUpload(part.file, dir, maxSizeMb, signal);
      } else {
        fields[part.fieldname] = String(part.value);
      }
    }
  } catch (e) {
    await cleanup();
    throw e;
  }
  return { input: saved && { kind: 'file', ...saved }, fields, cleanup };
}

/** Iterates `source` until `signal` aborts, then throws its reason even while a `next()` is still pending. */
async function* untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => {});
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
