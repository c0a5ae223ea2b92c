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

/**
 * Reads the request's audio and options. Pass the request budget's signal (`requestBudget`): it is what bounds a
 * slow upload.
 */
export async function readAudioRequest(
  request: FastifyRequest,
  ctx: RouteContext,
  budget?: RequestBudget,
): Promise<AudioRequest> {
  try {
    return await readWithin(request, ctx, budget?.signal ?? new AbortController().signal);
  } catch (e) {
    throw budget ? budget.relabel(e) : e;
  }
}

async function readWithin(request: FastifyRequest, ctx: RouteContext, signal: AbortSignal): Promise<AudioRequest> {
  const { maxSizeMb } = ctx.config;
  const query = (request.query ?? {}) as RawOptions;
  let input: AudioInput | undefined;
  let cleanup = noop;
  let bodyOptions: RawOptions | undefined;
  let url: string | undefined;

  if (request.isMultipart()) {
    checkContentLength(request, maxSizeMb);
    const read = await readMultipart(request, ctx.tmpDir, maxSizeMb, signal);
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
    const saved = await saveUpload(request.body, ctx.tmpDir, maxSizeMb, signal);
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

export interface RequestBudget {
  signal: AbortSignal;
  /** Re-labels an abort: the budget running out is TIMEOUT (504), the client leaving is CANCELLED. */
  relabel(e: unknown): unknown;
}

/**
 * The request's time budget, counted from its arrival (so a slow upload spends it too), and the client going away.
 */
export function requestBudget(reply: FastifyReply, seconds: number): RequestBudget {
  const timeout = AbortSignal.timeout(Math.max(1, Math.round(seconds * 1000 - reply.elapsedTime)));
  const gone = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) gone.abort(new EarshotError('CANCELLED', 'The client disconnected'));
  });
  return {
    signal: AbortSignal.any([timeout, gone.signal]),
    relabel(e) {
      if (timeout.aborted) return new EarshotError('TIMEOUT', `The request did not finish within ${seconds} s`);
      if (gone.signal.aborted) return gone.signal.reason;
      return e;
    },
  };
}

/** The budget as `{signal, timedOut}` (the older shape some routes use). */
export function requestSignal(reply: FastifyReply, seconds: number): { signal: AbortSignal; timedOut: () => boolean } {
  const budget = requestBudget(reply, seconds);
  return { signal: budget.signal, timedOut: () => budget.relabel(undefined) !== undefined };
}

/** Re-labels an abort caused by a time budget as TIMEOUT (callback jobs, whose budget is a plain signal). */
export function timeoutAware(e: unknown, timedOut: () => boolean, seconds: number): unknown {
  if (timedOut()) return new EarshotError('TIMEOUT', `The request did not finish within ${seconds} s`);
  return e;
}
