/**
 * The request schemas of /v1/listen and the cloud aliases, validated at the edge by fastify (ajv, with string →
 * boolean/number coercion so that query strings and multipart fields use the same schema as JSON bodies).
 */
import type { FastifyRequest } from 'fastify';
import { EarshotError } from '../errors.ts';
import type { ListenOptions } from './transcriber.ts';

/**
 * A language tag (`en`, `en-US`, `zh-Hant-TW`) or a word that asks for detection (`auto`, `multi`, `multi-eu`...):
 * the shape is checked here, the meaning against the model in Transcriber.checkOptions.
 */
export const languageProperty = {
  type: 'string',
  minLength: 2,
  maxLength: 35,
  pattern: '^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$',
} as const;

export const optionProperties = {
  language: languageProperty,
  punctuate: { type: 'boolean' },
  diarize: { type: 'boolean' },
  num_speakers: { type: 'integer', minimum: 1, maximum: 32 },
  timestamps: { type: 'boolean' },
  /** The cloud name for `timestamps`. */
  word_timestamps: { type: 'boolean' },
  callback_url: { type: 'string', minLength: 1, maxLength: 2048 },
} as const;

export const optionsSchema = {
  type: 'object',
  properties: optionProperties,
} as const;

export const jsonBodySchema = {
  type: 'object',
  required: ['url'],
  properties: { url: { type: 'string', minLength: 1, maxLength: 4096 }, ...optionProperties },
} as const;

export interface RawOptions {
  language?: string;
  punctuate?: boolean;
  diarize?: boolean;
  num_speakers?: number;
  timestamps?: boolean;
  word_timestamps?: boolean;
  callback_url?: string;
  url?: string;
}

/** Later sources win: query string, then body fields. */
export function resolveOptions(...sources: (RawOptions | undefined)[]): ListenOptions {
  const merged: RawOptions = Object.assign({}, ...sources.filter(Boolean));
  return {
    language: merged.language ?? 'en',
    punctuate: merged.punctuate ?? true,
    diarize: merged.diarize ?? false,
    num_speakers: merged.num_speakers,
    timestamps: merged.timestamps ?? merged.word_timestamps ?? false,
    callback_url: merged.callback_url,
  };
}

/** JSON fields that must arrive as strings (validation coerces `123` to `"123"`, which would hide a client's bug). */
const JSON_STRING_FIELDS = ['url', 'language', 'callback_url'] as const;

/** A preValidation hook: a JSON body's string fields must be strings, reported as the type error they are. */
export async function rejectNonStringJsonFields(request: FastifyRequest): Promise<void> {
  const body = request.body;
  if (!body || typeof body !== 'object' || Array.isArray(body) || !request.headers['content-type']?.includes('json')) {
    return;
  }
  for (const field of JSON_STRING_FIELDS) {
    const value = (body as Record<string, unknown>)[field];
    if (value !== undefined && typeof value !== 'string') {
      throw new EarshotError('INVALID_PARAMETER', `Invalid parameter '${field}': must be a string`, {
        parameter: field,
      });
    }
  }
}
