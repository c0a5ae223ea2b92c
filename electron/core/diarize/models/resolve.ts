/**
 * Which diarization runs: `neural` when a segmentation model and a speaker-embedding model are installed (downloaded
 * from the catalog or imported), else the classical method, which needs nothing. `method` forces one.
 */
import { EarshotError } from '../../errors.ts';
import type { NeuralModels } from './neural.ts';

export type DiarizationChoice = 'auto' | 'classical' | 'neural';
export const DIARIZATION_CHOICES: DiarizationChoice[] = ['auto', 'classical', 'neural'];

/** What this needs of the model manager's list entries (diarize sits below models: no import back). */
export interface InstalledModel {
  id: string;
  family: string;
  installed: boolean;
  dir?: string;
}

/** The catalog ids of the public models, suggested when none is installed. */
export const SEGMENTATION_MODEL_ID = 'pyannote-segmentation-3.0';
export const EMBEDDING_MODEL_ID = 'wespeaker-voxceleb-resnet34-lm';

/** From the model manager's list: the installed pair (catalog entries before imports), or undefined. */
export function installedNeuralModels(models: readonly InstalledModel[]): NeuralModels | undefined {
  const pick = (family: string, id: string) => {
    const installed = models.filter((m) => m.family === family && m.installed && m.dir);
    return (installed.find((m) => m.id === id) ?? installed[0])?.dir;
  };
  const segmentation = pick('pyannote', SEGMENTATION_MODEL_ID);
  const embedding = pick('wespeaker', EMBEDDING_MODEL_ID);
  return segmentation && embedding ? { segmentation, embedding } : undefined;
}

export function chooseDiarizationModels(
  choice: DiarizationChoice,
  models: readonly InstalledModel[],
): NeuralModels | undefined {
  if (!DIARIZATION_CHOICES.includes(choice)) {
    throw new EarshotError('INVALID_PARAMETER', `diarization method must be one of ${DIARIZATION_CHOICES.join(', ')}`);
  }
  if (choice === 'classical') return undefined;
  const found = installedNeuralModels(models);
  if (!found && choice === 'neural') {
    throw new EarshotError(
      'MODEL_NOT_FOUND',
      `Neural diarization needs a segmentation and a speaker-embedding model: run 'earshot models pull ${SEGMENTATION_MODEL_ID}' and 'earshot models pull ${EMBEDDING_MODEL_ID}' (or import folders in their layout)`,
    );
  }
  return found;
}
