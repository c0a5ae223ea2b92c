/**
 * Atomic install and removal of model folders under the models directory. A model becomes visible only by a rename of a
 * fully written, validated staging folder; a failed or cancelled install leaves nothing under the model's name.
 * Working folders start with a dot (.staging-*, .trash-*, .partial) and are never listed as models.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { EarshotError } from '../errors.ts';
import { readJson, writeJsonAtomic } from '../fs-atomic.ts';
import { trimWhisperEncoders, validateModelFolder, type WordTiming } from './validate.ts';

export const META_FILE = '.earshot-model.json';

/** What Earshot records about an installed model, inside its folder. */
export interface InstalledMeta {
  id: string;
  name: string;
  /** 'whisper' or 'ctc' for speech models; catalog entries of other families keep their own name. */
  family: string;
  origin: 'catalog' | 'import';
  variants: string[];
  repo?: string;
  revision?: string;
  importedFrom?: string;
  languages?: string[];
  installedAt: string;
  /** How each downloaded file was verified (sha256, git-blob or none). */
  verification?: Record<string, string>;
  /** Whisper: how word times are found with these files (see validate.ts). */
  wordTiming?: WordTiming;
  /** Encoder outputs dropped after verification because nothing reads them (file → output names). */
  trimmedOutputs?: Record<string, string[]>;
}

export async function readInstalledMeta(dir: string): Promise<InstalledMeta | undefined> {
  return readJson<InstalledMeta | undefined>(path.join(dir, META_FILE), undefined).catch(() => undefined);
}

export interface StagedFile {
  /** Path inside the model folder. */
  rel: string;
  /** Where the bytes are now. */
  from: string;
}

/**
 * Builds `<modelsDir>/<id>` from the files of an existing install (kept) plus `files`, validates it, then swaps it in.
 * `move` renames the sources (downloads); otherwise they are copied (imports).
 */
export async function installModel(
  modelsDir: string,
  id: string,
  files: StagedFile[],
  meta: Omit<InstalledMeta, 'variants' | 'family' | 'trimmedOutputs'>,
  options: {
    move: boolean;
    checkOnnx?: boolean;
    checkVariants?: string[];
    signal?: AbortSignal;
    /** A catalog family the engine does not run: install the verified files as they are, under this family. */
    asFamily?: { family: string; variant: string };
  },
): Promise<InstalledMeta> {
  await fs.mkdir(modelsDir, { recursive: true });
  const target = path.join(modelsDir, id);
  const staging = path.join(modelsDir, `.staging-${id}-${randomBytes(4).toString('hex')}`);
  try {
    await fs.mkdir(staging);
    const incoming = new Set(files.map((f) => f.rel));
    if (existsSync(target)) await linkTree(target, staging, (rel) => !incoming.has(rel) && rel !== META_FILE);
    for (const f of files) {
      if (options.signal?.aborted) throw new EarshotError('CANCELLED', 'Cancelled by the user');
      const to = path.join(staging, f.rel);
      await fs.mkdir(path.dirname(to), { recursive: true });
      if (options.move) await fs.rename(f.from, to);
      else await fs.copyFile(f.from, to);
    }
    let full: InstalledMeta;
    if (options.asFamily) {
      full = { ...meta, family: options.asFamily.family, variants: [options.asFamily.variant] };
    } else {
      const trimmed = await trimWhisperEncoders(staging, [...incoming]);
      const check = await validateModelFolder(staging, {
        checkOnnx: options.checkOnnx,
        variants: options.checkVariants,
      });
      if (!check.ok || !check.family) {
        throw new EarshotError('MODEL_INVALID', `${id} is not a valid model:\n- ${check.problems.join('\n- ')}`, {
          problems: check.problems,
        });
      }
      const previous = existsSync(target) ? await readInstalledMeta(target) : undefined;
      full = {
        ...meta,
        family: check.family,
        variants: check.variants ?? [],
        wordTiming: check.wordTiming ?? meta.wordTiming ?? previous?.wordTiming,
      };
      const allTrimmed = { ...previous?.trimmedOutputs, ...trimmed };
      if (Object.keys(allTrimmed).length > 0) full.trimmedOutputs = allTrimmed;
    }
    await writeJsonAtomic(path.join(staging, META_FILE), full);
    if (options.signal?.aborted) throw new EarshotError('CANCELLED', 'Cancelled by the user');
    await swapIn(staging, target);
    return full;
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

/** Replace `target` with `staging`: old folder aside, new one in, old one deleted. */
async function swapIn(staging: string, target: string): Promise<void> {
  const trash = `${path.dirname(target)}/.trash-${path.basename(target)}-${randomBytes(4).toString('hex')}`;
  const hadOld = existsSync(target);
  if (hadOld) await fs.rename(target, trash);
  try {
    await fs.rename(staging, target);
  } catch (e) {
    if (hadOld) await fs.rename(trash, target).catch(() => {});
    throw e;
  }
  if (hadOld) await fs.rm(trash, { recursive: true, force: true });
}

/** Removes a model folder so it disappears in one step (rename), then deletes the bytes. */
export async function removeModelFolder(dir: string): Promise<void> {
  const trash = path.join(path.dirname(dir), `.trash-${path.basename(dir)}-${randomBytes(4).toString('hex')}`);
  await fs.rename(dir, trash);
  await fs.rm(trash, { recursive: true, force: true });
}

/** Hard-links (or copies, across devices) every file of `from` into `to`, keeping the relative layout. */
async function linkTree(from: string, to: string, keep: (rel: string) => boolean): Promise<void> {
  for (const rel of await listFiles(from)) {
    if (!keep(rel)) continue;
    const dest = path.join(to, rel);
    await fs.mkdir(path.dirname(dest), { recursive: true });
    await fs.link(path.join(from, rel), dest).catch(() => fs.copyFile(path.join(from, rel), dest));
  }
}

/** Relative paths (with '/') of the regular files under `dir`. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}
