/**
 * The model catalog (models/catalog.json): what can be downloaded, from where, which files each weight variant needs,
 * and the honest facts shown to the user (size, languages, licence, published accuracy, how word times are found).
 * The zod schema below is the catalog's contract; tests validate the shipped file against it. What each entry's
 * repository, revision, sizes and hashes rest on is written down in models/CATALOG_SOURCES.md.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { EarshotError } from '../errors.ts';
import { appRoot } from '../paths.ts';
import { DIARIZATION_VARIANT_FILES, isDiarizationFamily } from '../diarize/models/folder.ts';
import { WHISPER_JSON_FILES, WHISPER_VARIANT_SUFFIX } from './validate.ts';

const repoPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..') && !p.includes('\\'), 'must be a relative path');

export const CatalogFileSchema = z.strictObject({
  path: repoPath,
  /**
   * Bytes as the Hub shows them (exact from an LFS pointer, else the page's three significant digits); with
   * sizeEstimated the figure is computed from the model's dimensions instead. Absent when unknown.
   */
  size: z.number().int().positive().optional(),
  sizeEstimated: z.boolean().optional(),
  /**
   * Lower-case hex SHA-256 at the pinned revision; absent when no page showed it (the server's X-Linked-ETag is used
   * instead). When present, a server that announces or sends anything else fails the download.
   */
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});

/** A repository and a commit id: what is downloaded can never change under the catalog. */
const SourceSchema = z.strictObject({
  repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/),
  revision: z.string().regex(/^[0-9a-f]{40}$/, 'must be a pinned commit id (40 hex digits), not a branch'),
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
  /**
   * How word times are found: 'aligned' when the decoder exports cross_attentions.* (the *_timestamped repositories)
   * and generation_config names alignment heads; 'approximate' (proportional to characters) otherwise.
   */
  wordTiming: z.enum(['aligned', 'approximate']),
  source: SourceSchema,
  defaultVariant: z.enum(Object.keys(WHISPER_VARIANT_SUFFIX) as [string, ...string[]]),
  sharedFiles: z.array(CatalogFileSchema),
  variants: z.partialRecord(
    z.enum(Object.keys(WHISPER_VARIANT_SUFFIX) as [string, ...string[]]),
    z.strictObject({ files: z.array(CatalogFileSchema).min(2) }),
  ),
});

/**
 * A downloadable model of another family (speaker segmentation, embeddings, ...): files per variant, verified and
 * installed as they are. Which engine runs it is the family's business, not the catalog's; the diarization families
 * (pyannote, wespeaker) are checked further below and validated as model folders when installed.
 */
const OtherFamilyEntrySchema = z.strictObject({
  ...common,
  /** Left out by models that do not depend on the language spoken (speaker segmentation and embeddings). */
  languages: common.languages.optional(),
  family: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/)
    .refine((f) => f !== 'whisper' && f !== 'ctc', 'whisper and ctc entries have their own schema'),
  parameters: z.number().int().positive().optional(),
  source: SourceSchema,
  defaultVariant: z.string().min(1),
  sharedFiles: z.array(CatalogFileSchema).default([]),
  variants: z.record(z.string().min(1), z.strictObject({ files: z.array(CatalogFileSchema).min(1) })),
});

const BundledEntrySchema = z.strictObject({
  ...common,
  family: z.enum(['ctc', 'whisper']),
  bundled: z.literal(true),
  /** Folder relative to the app root (models/<id> in the repo). */
  path: repoPath,
});

/**
 * Each entry is checked against the one schema its shape names (bundled, family "whisper", or another family), so a
 * broken entry gets that schema's exact complaints instead of a bare "invalid input" from a union.
 */
const ENTRY_SCHEMAS = [WhisperEntrySchema, BundledEntrySchema, OtherFamilyEntrySchema] as const;
type EntryOutput = z.output<(typeof ENTRY_SCHEMAS)[number]>;

function entrySchemaFor(value: unknown): (typeof ENTRY_SCHEMAS)[number] {
  const v = (value ?? {}) as { bundled?: unknown; family?: unknown };
  if (v.bundled !== undefined) return BundledEntrySchema;
  return v.family === 'whisper' ? WhisperEntrySchema : OtherFamilyEntrySchema;
}

const EntrySchema = z.unknown().transform((value, ctx): EntryOutput => {
  const parsed = entrySchemaFor(value).safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path, input: value });
  }
  return z.NEVER;
});

function catalogShape<T extends z.ZodType>(entry: T) {
  return z.strictObject({
    $schema: z.string().optional(),
    schemaVersion: z.literal(1),
    notes: z.array(z.string()).optional(),
    languageSets: z.record(z.string(), z.array(z.string().min(2)).min(1)),
    models: z.array(entry).min(1),
  });
}

export const CatalogSchema = catalogShape(EntrySchema).superRefine((catalog, ctx) => {
  const ids = new Set<string>();
  catalog.models.forEach((m, i) => {
    if (ids.has(m.id)) ctx.addIssue({ code: 'custom', message: `duplicate id ${m.id}`, path: ['models', i, 'id'] });
    ids.add(m.id);
    if (typeof m.languages === 'string' && !catalog.languageSets[m.languages]) {
      ctx.addIssue({ code: 'custom', message: `unknown language set ${m.languages}`, path: ['models', i] });
    }
    if (isWhisperEntry(m)) checkWhisperFiles(m, i, ctx);
    else if (isDownloadable(m) && !m.variants[m.defaultVariant]) {
      ctx.addIssue({ code: 'custom', message: `defaultVariant ${m.defaultVariant} has no files`, path: ['models', i] });
    }
    if (isDownloadable(m) && isDiarizationFamily(m.family)) checkDiarizationFiles(m, i, ctx);
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
function checkDiarizationFiles(m: DownloadableCatalogEntry, i: number, ctx: z.RefinementCtx): void {
  const shared = new Set(m.sharedFiles.map((f) => f.path));
  for (const name of ['config.json', 'preprocessor_config.json']) {
    if (!shared.has(name)) ctx.addIssue({ code: 'custom', message: `sharedFiles lacks ${name}`, path: ['models', i] });
  }
  for (const [variant, v] of Object.entries(m.variants)) {
    const need = DIARIZATION_VARIANT_FILES[variant];
    const where = ['models', i, 'variants'];
    if (!need) {
      const known = Object.keys(DIARIZATION_VARIANT_FILES).join(', ');
      ctx.addIssue({ code: 'custom', message: `variant ${variant} is not one of ${known}`, path: where });
    } else if (v && (v.files.length !== 1 || v.files[0]?.path !== need)) {
      ctx.addIssue({ code: 'custom', message: `variant ${variant} must be ${need}`, path: where });
    }
  }
}

export type Catalog = z.infer<typeof CatalogSchema>;
export type CatalogFile = z.infer<typeof CatalogFileSchema>;
export type WhisperCatalogEntry = z.infer<typeof WhisperEntrySchema>;
export type BundledCatalogEntry = z.infer<typeof BundledEntrySchema>;
export type OtherFamilyCatalogEntry = z.infer<typeof OtherFamilyEntrySchema>;
/** What can be pulled: a source repository and files per variant. */
export type DownloadableCatalogEntry = WhisperCatalogEntry | OtherFamilyCatalogEntry;
export type CatalogEntry = DownloadableCatalogEntry | BundledCatalogEntry;

export function isBundled(entry: CatalogEntry): entry is BundledCatalogEntry {
  return 'bundled' in entry && entry.bundled === true;
}

export function isDownloadable(entry: CatalogEntry): entry is DownloadableCatalogEntry {
  return !isBundled(entry);
}

export function isWhisperEntry(entry: CatalogEntry): entry is WhisperCatalogEntry {
  return isDownloadable(entry) && entry.family === 'whisper';
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

/** The entry's language codes; none for a model that does not depend on the language (speaker diarization). */
export function languagesOf(catalog: Catalog, entry: CatalogEntry): string[] {
  if (entry.languages === undefined) return [];
  return typeof entry.languages === 'string' ? (catalog.languageSets[entry.languages] ?? []) : entry.languages;
}

/** Every file a variant needs: the shared JSON files first, then the weights. */
export function variantFiles(entry: DownloadableCatalogEntry, variant: string): CatalogFile[] {
  const v = entry.variants[variant];
  if (!v) {
    const known = Object.keys(entry.variants).join(', ');
    throw new EarshotError('INVALID_PARAMETER', `${entry.id} has no variant '${variant}' (known: ${known})`);
  }
  return [...entry.sharedFiles, ...v.files];
}

/** Sum of the known sizes; `estimated` when any figure is an estimate or missing. */
export function variantSize(entry: DownloadableCatalogEntry, variant: string): { bytes: number; estimated: boolean } {
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
  const editorShape = catalogShape(z.union(ENTRY_SCHEMAS));
  return z.toJSONSchema(editorShape, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
