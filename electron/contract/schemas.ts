/**
 * Request validation for every invoke channel: the arguments arrive as a tuple and are parsed before any service
 * sees them. Anything the renderer sends is untrusted (a compromised renderer must not reach the file system with
 * arbitrary shapes).
 */
import { z } from 'zod';
import { EXPORT_FORMATS } from '../core/export/index.ts';
import { jobSettingsSchema } from '../core/jobs/job-settings.ts';
import { settingsPatchSchema } from '../core/settings/schema.ts';
import type { InvokeChannel } from './channels.ts';
import type { ChannelArgs, Same } from './method-types.ts';

const id = z.string().min(1).max(200);
const absolutePath = z.string().min(1).max(4096);
const jobSettings = jobSettingsSchema;
const word = z.object({
  word: z.string().max(1000),
  start: z.number().finite(),
  end: z.number().finite(),
  confidence: z.number().min(0).max(1),
  speaker: z.string().max(200).optional(),
});
const segment = z.object({
  id: z.number().int(),
  start: z.number().finite(),
  end: z.number().finite(),
  text: z.string().max(100_000),
  words: z.array(word).max(100_000).optional(),
  avgLogprob: z.number(),
  noSpeechProb: z.number(),
  speaker: z.string().max(200).optional(),
});
const none = z.tuple([]);
const base64 = (maxBytes: number) =>
  z
    .string()
    .max(Math.ceil(maxBytes / 3) * 4)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const recordingId = z.string().regex(/^rec_[a-f0-9]{20}$/);
const liveOptions = z
  .object({ modelId: z.string().min(1).max(200).optional(), language: z.string().min(2).max(8).optional() })
  .strict();
export const REQUEST_SCHEMAS = {
  'license:status': none,
  'license:set': z.tuple([z.string().max(10_000)]),
  'license:remove': none,
  'jobs:list': none,
  'jobs:addFiles': z.tuple([z.array(absolutePath).min(1).max(10_000), jobSettings.optional()]),
  'jobs:addUrl': z.tuple([z.string().min(1).max(8192), jobSettings.optional()]),
  'jobs:cancel': z.tuple([id]),
  'jobs:retry': z.tuple([id]),
  'jobs:remove': z.tuple([id]),
  'jobs:setPaused': z.tuple([z.boolean()]),
  'jobs:isPaused': none,
  'transcripts:list': none,
  'transcripts:page': z.tuple([
    z.number().int().min(0).max(100_000_000),
    z.number().int().min(1).max(500),
    z.boolean().optional(),
  ]),
  'transcripts:existing': z.tuple([z.array(id).max(100_000)]),
  'transcripts:get': z.tuple([id]),
  'transcripts:updateSegments': z.tuple([id, z.array(segment).max(1_000_000)]),
  'transcripts:rename': z.tuple([id, z.string().min(1).max(500)]),
  'transcripts:remove': z.tuple([id]),
  'transcripts:restore': z.tuple([id]),
  'transcripts:listTrash': none,
  'transcripts:deleteForever': z.tuple([id]),
  'transcripts:search': z.tuple([z.string().max(500)]),
  'transcripts:export': z.tuple([id, z.enum(EXPORT_FORMATS)]),
  'transcripts:mediaUrl': z.tuple([id]),
  'transcripts:reveal': z.tuple([id]),
  'exports:chooseFolder': none,
  'exports:write': z.tuple([z.string().uuid(), id, z.enum(EXPORT_FORMATS)]),
  'models:list': none,
  'models:pull': z.tuple([id, z.string().min(1).max(50).optional()]),
  'models:cancelPull': z.tuple([id]),
  'models:import': z.tuple([absolutePath]),
  'models:remove': z.tuple([id]),
  'models:setDefault': z.tuple([id]),
  'models:recommend': none,
  'watch:status': none,
  'settings:get': none,
  'settings:update': z.tuple([settingsPatchSchema]), // core's own patch schema: one source
  'server:status': none,
  'system:info': none,
  'system:pickFiles': none,
  'system:copyText': z.tuple([z.string().max(50_000_000)]),
  'system:reveal': z.tuple([absolutePath]),
  'system:notices': none,
  'system:dismissNotice': z.tuple([z.string().uuid()]),
  'live:prepare': z.tuple([liveOptions.optional()]),
  'live:start': z.tuple([liveOptions.optional()]),
  // 10 s of 16 kHz 16-bit PCM; a MediaRecorder piece (one per second) is far below 4 MB.
  'live:media': z.tuple([recordingId, base64(4_000_000)]),
  'live:pause': z.tuple([recordingId]),
  'live:stop': z.tuple([recordingId, z.enum(['user', 'device-lost']).optional()]),
  'live:retranscribe': z.tuple([id]),
} satisfies Record<InvokeChannel, z.ZodType<unknown[]>>;

/**
 * The type-level link between the schemas and the contract: every channel's schema must parse to exactly its method's
 * arguments (api.ts). A schema that accepts another type, or misses or adds a field, makes `UnlinkedIn` name the
 * channel and this file fail to compile (test/app/contract-types.test.ts plants wrong ones).
 */
export type UnlinkedIn<S extends Record<InvokeChannel, z.ZodType>> = {
  [C in InvokeChannel]: Same<z.output<S[C]>, ChannelArgs<C>> extends true ? never : C;
}[InvokeChannel];
export const SCHEMAS_MATCH_THE_CONTRACT: [UnlinkedIn<typeof REQUEST_SCHEMAS>] extends [never]
  ? true
  : { unlinked: UnlinkedIn<typeof REQUEST_SCHEMAS> } = true;
