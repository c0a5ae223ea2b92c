/**
 * The model catalog (models/catalog.json): what can be downloaded, from where, which files each weight variant needs,
 * and the honest facts shown to the user (size, languages, licence, published accuracy). The zod schema below is the
 * catalog's contract; tests validate the shipped file against it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { EarshotError } from '../errors.ts';
import { appRoot } from '../paths.ts';
import { DIARIZATION_VARIANT_FILES } from '../diarize/models/folder.ts';
import { WHISPER_JSON_FILES, WHISPER_VARIANT_SUFFIX } from './validate.ts';

const repoPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..') && !p.includes('\\'), 'must be a relative path');

export const CatalogFileSchema = z.strictObject({
  path: repoPath,
  /** Bytes; with sizeEstimated the figure is computed from the model's dimensions, not read from the Hub. */
  size: z.number().int().positive().optional(),
  sizeEstimated: z.boolean().optional(),
  /** Lower-case hex SHA-256; absent when not known (the server's X-Linked-ETag is used instead). */
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});

const AccuracySchema = z.strictObject({
  metric: z.enum(['wer_librispeech_test_clean', 'wer_librispeech_test_other', 'wer_open_asr_average']),
  value: z.number().nonnegative(),
  source: z.string().min(1),
  note: z.string().optional(),
});

const common = {
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  name: z.string().min(1),
  description: z.string().optional(),
  notice: z.string().optional(),
  licence: z.string().min(1),
  /** Language codes, or the name of a list in languageSets. */
  languages: z.union([z.array(z.string().min(2)).min(1), z.string().min(1)]),
  accuracy: z.array(AccuracySchema),
};

const WhisperEntrySchema = z.strictObject({
  ...common,
  family: z.literal('whisper'),
  parameters: z.number().int().positive(),
  /** Encoder cost for one 30 s window (docs/performance-notes.md §4); scales a measured speed to other models. */
  encoderGflopPer30s: z.number().positive().optional(),
  source: z.strictObject({
    repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/),
    revision: z.string().min(1),
  }),
  defaultVariant: z.enum(Object.keys(WHISPER_VARIANT_SUFFIX) as [string, ...string[]]),
  sharedFiles: z.array(CatalogFileSchema),
  variants: z.partialRecord(
    z.enum(Object.keys(WHISPER_VARIANT_SUFFIX) as [string, ...string[]]),
    z.strictObject({ files: z.array(CatalogFileSchema).min(2) }),
  ),
});

/**
 * A diarization model (pyannote segmentation or WeSpeaker embeddings) in the onnx-community layout: the two JSON
 * configs shared by every variant, and one onnx/model*.onnx per weight variant. Speech in any language.
 */
const DiarizationEntrySchema = z.strictObject({
  id: common.id,
  name: common.name,
  description: common.description,
  notice: common.notice,
  licence: common.licence,
  accuracy: common.accuracy,
  family: z.enum(['pyannote', 'wespeaker']),
  source: WhisperEntrySchema.shape.source,
  defaultVariant: z.enum(Object.keys(DIARIZATION_VARIANT_FILES) as [string, ...string[]]),
  sharedFiles: WhisperEntrySchema.shape.sharedFiles,
  variants: z.partialRecord(
    z.enum(Object.keys(DIARIZATION_VARIANT_FILES) as [string, ...string[]]),
    z.strictObject({ files: z.array(CatalogFileSchema).length(1) }),
  ),
});

const BundledEntrySchema = z.strictObject({
  ...common,
  family: z.enum(['ctc', 'whisper']),
  bundled: z.literal(true),
  /** Folder relative to the app root (models/<id> in the repo). */
  path: repoPath,
});

export const CatalogSchema = z
  .strictObject({
    $schema: z.string().optional(),
    schemaVersion: z.literal(1),
    notes: z.array(z.string()).optional(),
    languageSets: z.record(z.string(), z.array(z.string().min(2)).min(1)),
    models: z.array(z.union([WhisperEntrySchema, BundledEntrySchema, DiarizationEntrySchema])).min(1),
  })
  .superRefine((catalog, ctx) => {
    const ids = new Set<string>();
    catalog.models.forEach((m, i) => {
      if (ids.has(m.id)) ctx.addIssue({ code: 'custom', message: `duplicate id ${m.id}`, path: ['models', i, 'id'] });
      ids.add(m.id);
      if ('languages' in m && typeof m.languages === 'string' && !catalog.languageSets[m.languages]) {
        ctx.addIssue({ code: 'custom', message: `unknown language set ${m.languages}`, path: ['models', i] });
      }
      if (m.family === 'whisper' && 'variants' in m) checkWhisperFiles(m, i, ctx);
      if (m.family === 'pyannote' || m.family === 'wespeaker') checkDiarizationFiles(m, i, ctx);
    });
  });

/** The shared JSON files and each variant's encoder/decoder must be the ones validateModelFolder will look for. */
function checkWhisperFiles(m: z.infer<typeof WhisperEntrySchema>, i: number, ctx: z.RefinementCtx): void {
  const shared = new Set(m.sharedFiles.map((f) => f.path));
  for (const name of WHISPER_JSON_FILES) {
    if (!shared.has(name)) ctx.addIssue({ code: 'custom', message: `sharedFiles lacks ${name}`, path: ['models', i] });
  }
  if (!m.variants[m.defaultVariant]) {
    ctx.addIssue({ code: 'custom', message: `defaultVariant ${m.defaultVariant} has no files`, path: ['models', i] });
  }
  for (const [variant, v] of Object.entries(m.variants)) {
    const files = v?.files ?? [];
    const suffix = WHISPER_VARIANT_SUFFIX[variant];
    const paths = new Set(files.map((f) => f.path));
    for (const need of [`onnx/encoder_model${suffix}.onnx`, `onnx/decoder_model_merged${suffix}.onnx`]) {
      if (!paths.has(need)) {
        ctx.addIssue({ code: 'custom', message: `variant ${variant} lacks ${need}`, path: ['models', i, 'variants'] });
      }
    }
  }
}

/** The two configs, and each variant's one ONNX file under the name the loader looks for. */
function checkDiarizationFiles(m: z.infer<typeof DiarizationEntrySchema>, i: number, ctx: z.RefinementCtx): void {
  const shared = new Set(m.sharedFiles.map((f) => f.path));
  for (const name of ['config.json', 'preprocessor_config.json']) {
    if (!shared.has(name)) ctx.addIssue({ code: 'custom', message: `sharedFiles lacks ${name}`, path: ['models', i] });
  }
  if (!m.variants[m.defaultVariant]) {
    ctx.addIssue({ code: 'custom', message: `defaultVariant ${m.defaultVariant} has no files`, path: ['models', i] });
  }
  for (const [variant, v] of Object.entries(m.variants)) {
    const need = DIARIZATION_VARIANT_FILES[variant];
    if (v && v.files[0]?.path !== need) {
      ctx.addIssue({ code: 'custom', message: `variant ${variant} must be ${need}`, path: ['models', i, 'variants'] });
    }
  }
}

export type Catalog = z.infer<typeof CatalogSchema>;
export type CatalogFile = z.infer<typeof CatalogFileSchema>;
export type WhisperCatalogEntry = z.infer<typeof WhisperEntrySchema>;
export type BundledCatalogEntry = z.infer<typeof BundledEntrySchema>;
export type DiarizationCatalogEntry = z.infer<typeof DiarizationEntrySchema>;
export type CatalogEntry = WhisperCatalogEntry | BundledCatalogEntry | DiarizationCatalogEntry;
/** Entries downloaded from a repository, file by file, per weight variant. */
export type DownloadableEntry = WhisperCatalogEntry | DiarizationCatalogEntry;

export function isBundled(entry: CatalogEntry): entry is BundledCatalogEntry {
  return 'bundled' in entry && entry.bundled === true;
}

/** models/catalog.json of the app; EARSHOT_MODEL_CATALOG points elsewhere (tests, private catalogs). */
export function defaultCatalogPath(): string {
  return process.env.EARSHOT_MODEL_CATALOG ?? path.join(appRoot(), 'models', 'catalog.json');
}

export function parseCatalog(value: unknown, where = 'catalog'): Catalog {
  const parsed = CatalogSchema.safeParse(value);
  if (!parsed.success) {
    throw new EarshotError('MODEL_INVALID', `${where} is invalid:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

export function loadCatalog(file = defaultCatalogPath()): Catalog {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new EarshotError('MODEL_INVALID', `Cannot read the model catalog ${file}: ${(e as Error).message}`);
  }
  return parseCatalog(raw, file);
}

export function languagesOf(catalog: Catalog, entry: CatalogEntry): string[] {
  if (!('languages' in entry)) return [];
  return typeof entry.languages === 'string' ? (catalog.languageSets[entry.languages] ?? []) : entry.languages;
}

/** Every file a variant needs: the shared JSON files first, then the weights. */
export function variantFiles(entry: DownloadableEntry, variant: string): CatalogFile[] {
  const v = entry.variants[variant];
  if (!v) {
    const known = Object.keys(entry.variants).join(', ');
    throw new EarshotError('INVALID_PARAMETER', `${entry.id} has no variant '${variant}' (known: ${known})`);
  }
  return [...entry.sharedFiles, ...v.files];
}

/** Sum of the known sizes; `estimated` when any figure is an estimate or missing. */
export function variantSize(entry: DownloadableEntry, variant: string): { bytes: number; estimated: boolean } {
  let bytes = 0;
  let estimated = false;
  for (const f of variantFiles(entry, variant)) {
    bytes += f.size ?? 0;
    if (f.size === undefined || f.sizeEstimated) estimated = true;
  }
  return { bytes, estimated };
}

/** JSON Schema of the catalog for editors ($schema in catalog.json); cross-field rules live only in CatalogSchema. */
export function catalogJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(CatalogSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
