/** The CTC family (model.json + model.onnx packs; the bundled demo model is one): how the rest of Earshot sees it. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { commonEntryFields, downloadableEntryFields } from '../catalog-entry.ts';
import type { SpeechFamily } from '../family.ts';
import { peekJson } from '../folder-checks.ts';
import { validateCtcFolder } from './folder.ts';
import { loadCtcModel } from './index.ts';
import { CTC_VAD } from './stream-windows.ts';

/** A downloadable pack: files per variant (one, fp32, for the packs there are), holding model.json and model.onnx. */
const CtcEntrySchema = z.strictObject({
  ...commonEntryFields,
  family: z.literal('ctc'),
  parameters: z.number().int().positive().optional(),
  ...downloadableEntryFields,
});

const PACK_FILES = ['model.json', 'model.onnx'];

export const ctcFamily: SpeechFamily<'ctc', typeof CtcEntrySchema> = {
  id: 'ctc',
  marker: 'model.json',
  folderHint: 'model.json (CTC pack)',
  claims(dir) {
    if (!existsSync(path.join(dir, 'model.json'))) return 'no';
    const meta = peekJson(dir, 'model.json');
    // An unreadable model.json is a broken pack: validation says what is wrong with it.
    return meta === undefined ? 'maybe' : meta.family === 'ctc' ? 'yes' : 'no';
  },
  validate: validateCtcFolder,
  load: loadCtcModel,
  catalogEntry: CtcEntrySchema,
  checkCatalogEntry(m, problem) {
    if (!m.variants[m.defaultVariant]) problem(`defaultVariant ${m.defaultVariant} has no files`);
    for (const [variant, v] of Object.entries(m.variants)) {
      const paths = new Set([...m.sharedFiles, ...v.files].map((f) => f.path));
      for (const need of PACK_FILES) if (!paths.has(need)) problem(`variant ${variant} lacks ${need}`, ['variants']);
    }
  },
  probeFile: (variants) => (variants.length ? { file: 'model.onnx' } : undefined),
  variantsIn: (dir) => (existsSync(path.join(dir, 'model.onnx')) ? ['fp32'] : []),
  /** [batch, samples] raw audio (30 s at 16 kHz), or [batch, frames, features] at 10 ms a frame. */
  calibration: {
    symbolicDim: (rank) => (rank === 2 ? 480_000 : 3000),
    lengthValue: 3000,
    audioSeconds: (shape) => (shape.length === 3 && typeof shape[1] === 'number' ? shape[1] / 100 : undefined),
  },
  importedLanguages(dir) {
    const languages = peekJson(dir, 'model.json')?.languages;
    return Array.isArray(languages) ? languages.filter((l): l is string => typeof l === 'string') : [];
  },
  defaults: { vad: CTC_VAD, options: {} },
};
