/** The Whisper family (Hugging Face ONNX layout): how the rest of Earshot sees it (asr/family.ts). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CatalogFileSchema, commonEntryFields, SourceSchema } from '../catalog-entry.ts';
import type { SpeechFamily } from '../family.ts';
import { peekJson } from '../folder-checks.ts';
import { DEFAULT_MODE, loadWhisperModel } from './index.ts';
import { WHISPER_JSON_FILES, WHISPER_VARIANT_SUFFIX, validateWhisperFolder, whisperVariantFiles } from './folder.ts';
import { WHISPER_VAD } from './speech-regions.ts';

const variantName = z.enum(Object.keys(WHISPER_VARIANT_SUFFIX) as [string, ...string[]]);

const WhisperEntrySchema = z.strictObject({
  ...commonEntryFields,
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
  defaultVariant: variantName,
  sharedFiles: z.array(CatalogFileSchema),
  variants: z.partialRecord(variantName, z.strictObject({ files: z.array(CatalogFileSchema).min(2) })),
});

export const whisperFamily: SpeechFamily<'whisper', typeof WhisperEntrySchema> = {
  id: 'whisper',
  marker: 'config.json',
  folderHint: 'config.json with model_type "whisper" (Whisper ONNX layout)',
  claims(dir) {
    if (!existsSync(path.join(dir, 'config.json'))) return 'no';
    return peekJson(dir, 'config.json')?.model_type === 'whisper' ? 'yes' : 'maybe';
  },
  validate: validateWhisperFolder,
  load: loadWhisperModel,
  catalogEntry: WhisperEntrySchema,
  /** The shared JSON files and each variant's encoder/decoder must be the ones validation will look for. */
  checkCatalogEntry(m, problem) {
    const shared = new Set(m.sharedFiles.map((f) => f.path));
    for (const name of WHISPER_JSON_FILES) if (!shared.has(name)) problem(`sharedFiles lacks ${name}`);
    if (!m.variants[m.defaultVariant]) problem(`defaultVariant ${m.defaultVariant} has no files`);
    for (const [variant, v] of Object.entries(m.variants)) {
      const paths = new Set((v?.files ?? []).map((f) => f.path));
      const files = whisperVariantFiles(variant);
      for (const need of [files.encoder, files.decoder]) {
        if (!paths.has(need)) problem(`variant ${variant} lacks ${need}`, ['variants']);
      }
    }
  },
  probeFile(variants, prefer) {
    const variant = [prefer, 'quantized', ...variants].find((v) => v !== undefined && variants.includes(v));
    return variant ? { file: whisperVariantFiles(variant).encoder, variant } : undefined;
  },
  variantsIn: (dir) =>
    Object.keys(WHISPER_VARIANT_SUFFIX).filter((v) => existsSync(path.join(dir, whisperVariantFiles(v).encoder))),
  /** The encoder: 3000 mel frames (30 s); integer inputs are a batch size of one. */
  calibration: { symbolicDim: () => 3000, lengthValue: 1 },
  /** English for `.en` exports, else Whisper's language set (large-v3's with 128 mel bins). */
  importedLanguages(dir, languageSets) {
    if (peekJson(dir, 'generation_config.json')?.is_multilingual === false) return ['en'];
    return languageSets[peekJson(dir, 'config.json')?.num_mel_bins === 128 ? 'whisper-v3' : 'whisper'] ?? [];
  },
  defaults: { vad: WHISPER_VAD, options: { mode: DEFAULT_MODE } },
};
