/**
 * The registry of model families: the one list the model manager, the catalog and the loaders read. A new family is
 * a folder implementing SpeechFamily (family.ts) and one line here.
 */
import { ctcFamily } from './ctc/family.ts';
import type { FolderClaim, SpeechFamily } from './family.ts';
import { whisperFamily } from './whisper/family.ts';

export const SPEECH_FAMILIES = [ctcFamily, whisperFamily] as const;

export type SpeechFamilyId = (typeof SPEECH_FAMILIES)[number]['id'];

export function speechFamily(id: string): SpeechFamily | undefined {
  return (SPEECH_FAMILIES as readonly SpeechFamily[]).find((f) => f.id === id);
}

export function isSpeechFamily(id: string): id is SpeechFamilyId {
  return speechFamily(id) !== undefined;
}

/** The family whose folder `dir` is ('yes'), else the first that says 'maybe'; undefined when none does. */
export function familyOfFolder(dir: string): { family: SpeechFamily; claim: Exclude<FolderClaim, 'no'> } | undefined {
  let maybe: SpeechFamily | undefined;
  for (const family of SPEECH_FAMILIES as readonly SpeechFamily[]) {
    const claim = family.claims(dir);
    if (claim === 'yes') return { family, claim };
    if (claim === 'maybe') maybe ??= family;
  }
  return maybe ? { family: maybe, claim: 'maybe' } : undefined;
}

/** "not a model folder" help: what each family's folder holds. */
export function folderHints(): string {
  return SPEECH_FAMILIES.map((f) => f.folderHint).join(' or ');
}

/** The families whose folder a model.json names (for "family must be ..." messages). */
export function modelJsonFamilies(): string[] {
  return SPEECH_FAMILIES.filter((f) => f.marker === 'model.json').map((f) => f.id);
}
