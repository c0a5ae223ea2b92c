/**
 * The settings record: one zod schema gives the defaults, validates what is read from disk and every patch that
 * arrives over IPC. Stored files carry `schemaVersion`; `migrateSettings` upgrades older files step by step so that a
 * newer app never loses a user's choices.
 */
import { z } from 'zod';
import { EXPORT_FORMATS } from '../export/formats.ts';

export const SETTINGS_SCHEMA_VERSION = 2;

export const serverSettingsSchema = z.object({
  enabled: z.boolean().default(false),
  port: z.number().int().min(1).max(65535).default(7100),
  host: z.string().min(1).max(255).default('127.0.0.1'),
});

export const subtitleSettingsSchema = z.object({
  /** Characters per subtitle line (SRT/VTT). */
  maxLineLength: z.number().int().min(16).max(120).default(42),
  /** Lines per subtitle cue. */
  maxLines: z.number().int().min(1).max(4).default(2),
});

export const diarizationSettingsSchema = z.object({
  /** Label speakers in new jobs by default (each job can say otherwise). */
  enabled: z.boolean().default(false),
  /** auto: the installed diarization models, else the approximate classical method. */
  method: z.enum(['auto', 'classical', 'neural']).default('auto'),
});

export const watchSettingsSchema = z.object({
  /** Transcribe new media files that appear in `folder`, and write the transcript next to each. */
  enabled: z.boolean().default(false),
  folder: z.string().max(4096).default(''),
  format: z.enum(EXPORT_FORMATS).default('srt'),
});

export const autoExportSettingsSchema = z.object({
  /** Also write every finished transcript into `folder`. */
  enabled: z.boolean().default(false),
  folder: z.string().max(4096).default(''),
  format: watchSettingsSchema.shape.format,
});

export const settingsSchema = z.object({
  device: z.enum(['auto', 'cpu', 'gpu']).default('auto'),
  /** 0 = choose for this machine. */
  threads: z.number().int().min(0).max(256).default(0),
  /** ISO-639-1 code or 'auto'. */
  language: z.string().min(2).max(8).default('auto'),
  task: z.enum(['transcribe', 'translate']).default('transcribe'),
  vad: z.boolean().default(true),
  defaultModelId: z.string().min(1).max(200).optional(),
  theme: z.enum(['system', 'light', 'dark']).default('system'),
  server: serverSettingsSchema.default({ enabled: false, port: 7100, host: '127.0.0.1' }),
  subtitles: subtitleSettingsSchema.default({ maxLineLength: 42, maxLines: 2 }),
  diarization: diarizationSettingsSchema.default({ enabled: false, method: 'auto' }),
  watch: watchSettingsSchema.default({ enabled: false, folder: '', format: 'srt' }),
  autoExport: autoExportSettingsSchema.default({ enabled: false, folder: '', format: 'srt' }),
});

export type SettingsRecord = z.infer<typeof settingsSchema>;

type WithoutDefaults<S extends z.ZodRawShape> = { [K in keyof S]: S[K] extends z.ZodDefault<infer T> ? T : S[K] };

/**
 * A nested settings object as a patch: each field optional, unknown fields refused, and no defaults — zod fills a
 * default even inside `.partial()`, which would turn `{server: {port}}` into "and switch the server off".
 */
function patchOf<S extends z.ZodRawShape>(schema: z.ZodObject<S>) {
  const shape = Object.fromEntries(
    Object.entries(schema.shape).map(([k, field]) => [k, field instanceof z.ZodDefault ? field.unwrap() : field]),
  ) as WithoutDefaults<S>;
  return z.object(shape).partial().strict();
}

/** A patch from the UI: any top-level field, nested objects merged field by field. */
export const settingsPatchSchema = z
  .object({
    device: settingsSchema.shape.device.unwrap(),
    threads: settingsSchema.shape.threads.unwrap(),
    language: settingsSchema.shape.language.unwrap(),
    task: settingsSchema.shape.task.unwrap(),
    vad: settingsSchema.shape.vad.unwrap(),
    defaultModelId: z.string().min(1).max(200),
    theme: settingsSchema.shape.theme.unwrap(),
    server: patchOf(serverSettingsSchema),
    subtitles: patchOf(subtitleSettingsSchema),
    diarization: patchOf(diarizationSettingsSchema),
    watch: patchOf(watchSettingsSchema),
    autoExport: patchOf(autoExportSettingsSchema),
  })
  .partial()
  .strict();

export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export function defaultSettings(): SettingsRecord {
  return settingsSchema.parse({});
}

type Raw = Record<string, unknown>;

/** Step n upgrades a file written at schemaVersion n to n + 1. */
const MIGRATIONS: Record<number, (raw: Raw) => Raw> = {
  // v1 stored `useGpu: boolean` and `apiServer: {enabled, port}`.
  1: (raw) => {
    const { useGpu, apiServer, ...rest } = raw;
    const out: Raw = { ...rest };
    if (typeof useGpu === 'boolean' && out.device === undefined) out.device = useGpu ? 'auto' : 'cpu';
    if (apiServer && typeof apiServer === 'object' && out.server === undefined) out.server = apiServer;
    return out;
  },
};

/**
 * Brings a stored record to the current schema. Unknown or invalid fields fall back to their defaults one by one,
 * so a hand-edited file with one bad value keeps everything else.
 */
export function migrateSettings(stored: unknown): SettingsRecord {
  let raw: Raw = stored && typeof stored === 'object' ? { ...(stored as Raw) } : {};
  let version = typeof raw.schemaVersion === 'number' ? raw.schemaVersion : 1;
  while (version < SETTINGS_SCHEMA_VERSION) {
    raw = MIGRATIONS[version]?.(raw) ?? raw;
    version++;
  }
  delete raw.schemaVersion;
  const whole = settingsSchema.safeParse(raw);
  if (whole.success) return whole.data;
  const out: Raw = {};
  for (const [key, field] of Object.entries(settingsSchema.shape)) {
    const one = (field as z.ZodType).safeParse(raw[key]);
    if (one.success && one.data !== undefined) out[key] = one.data;
  }
  return settingsSchema.parse(out);
}

export function applySettingsPatch(current: SettingsRecord, patch: SettingsPatch): SettingsRecord {
  return settingsSchema.parse({
    ...current,
    ...patch,
    server: { ...current.server, ...patch.server },
    subtitles: { ...current.subtitles, ...patch.subtitles },
    diarization: { ...current.diarization, ...patch.diarization },
    watch: { ...current.watch, ...patch.watch },
    autoExport: { ...current.autoExport, ...patch.autoExport },
  });
}
