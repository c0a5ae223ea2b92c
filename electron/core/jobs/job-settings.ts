/**
 * The one schema of a job's settings: the contract validates `jobs:addFiles`/`jobs:addUrl` with it (strict: unknown
 * fields refused), the queue file reader checks each persisted job's settings with it (`queue-file.ts`, fields a newer
 * version added kept), and `JobSettingsRecord` is its type. Limits match the Settings they default from
 * (settings/schema.ts: language 2–8 characters, threads 0–256).
 */
import { z } from 'zod';

export const jobSettingsSchema = z
  .object({
    modelId: z.string().min(1).max(200).optional(),
    language: z.string().min(2).max(8).optional(),
    task: z.enum(['transcribe', 'translate']).optional(),
    device: z.enum(['auto', 'cpu', 'gpu']).optional(),
    threads: z.number().int().min(0).max(256).optional(),
    vad: z.boolean().optional(),
    initialPrompt: z.string().max(2000).optional(),
    /** Label who speaks when. */
    diarize: z.boolean().optional(),
    /** How many speakers there are (estimated when absent). */
    numSpeakers: z.number().int().min(1).max(32).optional(),
    /** auto: the installed diarization models, else the approximate classical method. */
    diarizeWith: z.enum(['auto', 'classical', 'neural']).optional(),
  })
  .strict();

export type JobSettingsRecord = z.infer<typeof jobSettingsSchema>;
