/**
 * What a model family is: one folder under asr/ (asr/whisper, asr/ctc) whose family.ts implements this interface,
 * listed once in families.ts. Everything outside asr/ — the model manager's validation and install, the catalog,
 * loading for the desktop, server and CLI — goes through it, so a new family starts in its own folder and one line.
 */
import type { z } from 'zod';
import type { EntryProblem } from './catalog-entry.ts';
import type { ValidateOptions, ValidationResult } from './folder-checks.ts';
import type { VadSettings } from './speech-blocks.ts';
import type { LoadModelOptions, SpeechModel, TranscribeOptions } from './types.ts';

/** 'yes': the folder is this family's; 'maybe': it could be a broken one (validation says what is wrong); 'no'. */
export type FolderClaim = 'yes' | 'maybe' | 'no';

export interface SpeechFamily<Id extends string = string, Entry extends z.ZodType = z.ZodType> {
  /** The `family` of its catalog entries, installed models and loaded SpeechModels. */
  readonly id: Id;
  /** The file that marks its folder (a model.json names its family in `family`). */
  readonly marker: string;
  /** What marks its folder, for "not a model folder" messages (e.g. 'model.json (CTC pack)'). */
  readonly folderHint: string;
  /** Files only, cheap: whether `dir` is laid out as this family's folder. */
  claims(dir: string): FolderClaim;
  /** Every problem with the folder, file by file; `variants` lists the complete weight variants. */
  validate(dir: string, options?: ValidateOptions): Promise<ValidationResult>;
  load(dir: string, options?: LoadModelOptions): Promise<SpeechModel>;
  /** zod schema of its downloadable catalog entries (`family` is the literal id). */
  readonly catalogEntry: Entry;
  /** Cross-field rules of an entry: e.g. the files its folder must hold are among the variant's files. */
  checkCatalogEntry(entry: z.output<Entry>, problem: EntryProblem): void;
  /** The ONNX file device probing and calibration open, among the installed variants (preferring `prefer`). */
  probeFile(variants: readonly string[], prefer?: string): { file: string; variant?: string } | undefined;
  /** Files only, cheap: the variants whose weights are in `dir` (probing a folder that was not validated). */
  variantsIn(dir: string): string[];
  /**
   * How calibration shapes zero-valued input for the probe file: the size of a symbolic dimension after the batch one
   * (`rank`: the input's rank), the value of integer (length) inputs, and the audio seconds one run covers when an
   * input's fixed shape says so (else 30).
   */
  readonly calibration: {
    symbolicDim(rank: number): number;
    lengthValue: number;
    audioSeconds?(shape: readonly (number | string)[]): number | undefined;
  };
  /** Languages of a folder imported without a catalog entry (`languageSets` from the catalog). */
  importedLanguages(dir: string, languageSets: Record<string, string[]>): string[];
  readonly defaults: {
    /** How its voice activity detection pads and splits regions. */
    vad: VadSettings;
    /** Transcription options the family applies when the caller leaves them out. */
    options: Pick<TranscribeOptions, 'mode'>;
  };
}
