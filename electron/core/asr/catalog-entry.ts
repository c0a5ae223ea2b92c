/**
 * The pieces a model catalog entry (models/catalog.json) is built from, shared by the catalog (models/catalog.ts) and
 * each model family's entry schema (asr/<family>/family.ts): files with sizes and hashes, a pinned source, published
 * accuracy, and the fields every entry has.
 */
import { z } from 'zod';

export const repoPath = z
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
export const SourceSchema = z.strictObject({
  repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/),
  revision: z.string().regex(/^[0-9a-f]{40}$/, 'must be a pinned commit id (40 hex digits), not a branch'),
});

const AccuracySchema = z.strictObject({
  metric: z.enum(['wer_librispeech_test_clean', 'wer_librispeech_test_other', 'wer_open_asr_average']),
  value: z.number().nonnegative(),
  source: z.string().min(1),
  note: z.string().optional(),
});

/** Fields of every entry, bundled or downloadable, of any family. */
export const commonEntryFields = {
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  name: z.string().min(1),
  description: z.string().optional(),
  notice: z.string().optional(),
  licence: z.string().min(1),
  /** Language codes, or the name of a list in languageSets. */
  languages: z.union([z.array(z.string().min(2)).min(1), z.string().min(1)]),
  accuracy: z.array(AccuracySchema),
};

/** Fields of a downloadable entry: where it comes from and which files each weight variant needs. */
export const downloadableEntryFields = {
  source: SourceSchema,
  defaultVariant: z.string().min(1),
  sharedFiles: z.array(CatalogFileSchema).default([]),
  variants: z.record(z.string().min(1), z.strictObject({ files: z.array(CatalogFileSchema).min(1) })),
};

export type CatalogFile = z.infer<typeof CatalogFileSchema>;

/** Reports a cross-field problem of an entry (`path` below the entry). */
export type EntryProblem = (message: string, path?: (string | number)[]) => void;
