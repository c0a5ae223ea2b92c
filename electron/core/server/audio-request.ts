/**
 * Reads the audio and options of a transcription request in any of its three styles: JSON `{url, ...options}`,
 * multipart (`audio` file plus option fields), or raw audio bytes with the options in the query string.
 */
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EarshotError } from '../errors.ts';
import type { RouteContext } from './context.ts';
import { optionsSchema, type RawOptions, resolveOptions } from './listen-options.ts';
import type { AudioInput, ListenOptions } from './transcriber.ts';
import { checkContentLength, readMultipart, saveUpload } from './uploads.ts';

export interface AudioRequest {
  input: AudioInput;
  options: ListenOptions;
  cleanup: () => Promise<void>;
}

const noop = async () => {};

function validateFields(request: FastifyRequest, fields: Record<string, string>): RawOptions {
  const { url, ...rest } = fields;
  const validate = request.compileValidationSchema(optionsSchema);
  if (!validate(rest)) {
    const first = validate.errors?.[0];
    const field = first?.instancePath.replace(/^\//, '') || 'form';
    throw new EarshotError('INVALID_PARAMETER', `Invalid form field '${field}': ${first?.message ?? 'invalid'}`, {
      parameter: field,
    });
  }
  return { ...(rest as RawOptions), url };
}

export async function readAudioRequest(request: FastifyRequest, ctx: RouteContext): Promise<AudioRequest> {
  const { maxSizeMb } = ctx.config;
  const query = (request.query ?? {}) as RawOptions;
  let input: AudioInput | undefined;
  let cleanup = noop;
  let bodyOptions: RawOptions | undefined;
  let url: string | undefined;

  if (request.isMultipart()) {
    checkContentLength(request, maxSizeMb);
    const read = await readMultipart(request, ctx.tmpDir, maxSizeMb);
    input = read.input;
    cleanup = read.cleanup;
    try {
      bodyOptions = validateFields(request, read.fields);
    } catch (e) {
      await cleanup();
      throw e;
    }
    url = bodyOptions.url;
  } else if (request.body instanceof Readable) {
    checkContentLength(request, maxSizeMb);
    // Options are all in the query: refuse bad ones before reading the upload.
    await ctx.transcriber.checkOptions(resolveOptions(query));
    const saved = await saveUpload(request.body, ctx.tmpDir, maxSizeMb);
    input = { kind: 'file', ...saved };
    cleanup = () => rm(saved.path, { force: true });
  } else if (request.body && typeof request.body === 'object') {
    bodyOptions = request.body as RawOptions;
    url = bodyOptions.url;
  }

  try {
    if (url && input) throw new EarshotError('INVALID_PARAMETER', 'Send either a url or an audio file, not both');
    if (!url && !input) throw new EarshotError('MISSING_PARAMETER', 'Missing required parameter: url or audio file');
    const options = resolveOptions(query, bodyOptions);
    await ctx.transcriber.checkOptions(options);
    if (url) {
      await ctx.transcriber.checkUrl(url);
      input = { kind: 'url', url };
    }
    return { input: input!, options, cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/** A signal that fires when the request's time budget runs out or the client goes away. */
export function requestSignal(reply: FastifyReply, seconds: number): { signal: AbortSignal; timedOut: () => boolean } {
  const timeout = AbortSignal.timeout(seconds * 1000);
  const gone = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) gone.abort(new EarshotError('CANCELLED', 'The client disconnected'));
  });
  return { signal: AbortSignal.any([timeout, gone.signal]), timedOut: () => timeout.aborted };
}

/** Re-labels an abort caused by the time budget as TIMEOUT. */
export function timeoutAware(e: unknown, timedOut: () => boolean, seconds: number): unknown {
  if (timedOut()) return new EarshotError('TIMEOUT', `The request did not finish within ${seconds} s`);
  return e;
}
