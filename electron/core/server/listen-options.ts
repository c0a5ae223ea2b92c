/**
 * The request schemas of /v1/listen and the cloud aliases, validated at the edge by fastify (ajv, with string →
 * boolean/number coercion so that query strings and multipart fields use the same schema as JSON bodies).
 */
import type { ListenOptions } from './transcriber.ts';

export const optionProperties = {
  language: { type: 'string', minLength: 2, maxLength: 16, pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$' },
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
