/**
 * The model catalog (models/catalog.json): what can be downloaded, from where, which files each weight variant needs,
 * and the honest facts shown to the user (size, languages, licence, published accuracy, how word times are found).
 * The zod schema below is the catalog's contract; tests validate the shipped file against it. What each entry's
 * repository, revision, sizes and hashes rest on is written down in models/CATALOG_SOURCES.md.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  type CatalogFileSchema,
  commonEntryFields as common,
  downloadableEntryFields,
  repoPath,
} from '../asr/catalog-entry.ts';
import { isSpeechFamily, SPEECH_FAMILIES, type SpeechFamilyId, speechFamily } from '../asr/families.ts';
import type { ctcFamily } from '../asr/ctc/family.ts';
import type { whisperFamily } from '../asr/whisper/family.ts';
import { EarshotError } from '../errors.ts';
import { appRoot } from '../paths.ts';
import { DIARIZATION_VARIANT_FILES, isDiarizationFamily } from '../diarize/models/folder.ts';

export { CatalogFileSchema } from '../asr/catalog-entry.ts';

/** Each registered speech family's downloadable entry schema (asr/<family>/family.ts), by family id. */
const SPEECH_ENTRY_SCHEMAS = new Map<string, z.ZodType>(SPEECH_FAMILIES.map((f) => [f.id, f.catalogEntry]));
const speechFamilyIds = SPEECH_FAMILIES.map((f) => f.id) as [SpeechFamilyId, ...SpeechFamilyId[]];

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
    .refine((f) => !isSpeechFamily(f), 'speech families have their own entry schema (asr/families.ts)'),
  parameters: z.number().int().positive().optional(),
  ...downloadableEntryFields,
});

const BundledEntrySchema = z.strictObject({
  ...common,
  family: z.enum(speechFamilyIds),
  bundled: z.literal(true),
  /** Folder relative to the app root (models/<id> in the repo). */
  path: repoPath,
});

/**
 * Each entry is checked against the one schema its shape names (bundled, a registered speech family's, or another
 * family's), so a broken entry gets that schema's exact complaints instead of a bare "invalid input" from a union.
 */
type SpeechEntry = z.output<(typeof SPEECH_FAMILIES)[number]['catalogEntry']>;
type EntryOutput = SpeechEntry | z.output<typeof BundledEntrySchema> | z.output<typeof OtherFamilyEntrySchema>;

function entrySchemaFor(value: unknown): z.ZodType {
  const v = (value ?? {}) as { bundled?: unknown; family?: unknown };
  if (v.bundled !== undefined) return BundledEntrySchema;
  return (typeof v.family === 'string' && SPEECH_ENTRY_SCHEMAS.get(v.family)) || OtherFamilyEntrySchema;
}

const EntrySchema = z.unknown().transform((value, ctx): EntryOutput => {
  const parsed = entrySchemaFor(value).safeParse(value);
  if (parsed.success) return parsed.data as EntryOutput;
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
    const family = isDownloadable(m) ? speechFamily(m.family) : undefined;
    if (family) {
      family.checkCatalogEntry(m, (message, where = []) =>
        ctx.addIssue({ code: 'custom', message, path: ['models', i, ...where] }),
      );
    } else if (isDownloadable(m) && !m.variants[m.defaultVariant]) {
      ctx.addIssue({ code: 'custom', message: `defaultVariant ${m.defaultVariant} has no files`, path: ['models', i] });
    }
    if (isDownloadable(m) && isDiarizationFamily(m.family)) checkDiarizationFiles(m, i, ctx);
  });
});

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
export type WhisperCatalogEntry = z.infer<(typeof whisperFamily)['catalogEntry']>;
export type CtcCatalogEntry = z.infer<(typeof ctcFamily)['catalogEntry']>;
export type BundledCatalogEntry = z.infer<typeof BundledEntrySchema>;
export type OtherFamilyCatalogEntry = z.infer<typeof OtherFamilyEntrySchema>;
/** What can be pulled: a source repository and files per variant. */
export type DownloadableCatalogEntry = SpeechEntry | OtherFamilyCatalogEntry;
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
  const entries = [...SPEECH_ENTRY_SCHEMAS.values(), BundledEntrySchema, OtherFamilyEntrySchema];
  const editorShape = catalogShape(z.union(entries as [z.ZodType, z.ZodType, ...z.ZodType[]]));
  return z.toJSONSchema(editorShape, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
