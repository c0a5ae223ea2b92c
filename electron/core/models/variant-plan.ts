/**
 * Which variant a pull downloads, decided before any byte moves: every file of the candidate variant is asked for
 * with HEAD. A named variant with a missing file fails at once, naming the file and the variants that are complete on
 * the server; 'auto' walks from the catalog's default to the next complete variant and says so. A file whose
 * announced hash differs from the pinned one stops the pull: that is not a gap to route around.
 */
import { EarshotError } from '../errors.ts';
import { type CatalogFile, type DownloadableCatalogEntry, variantFiles } from './catalog.ts';
import type { RemoteCheck } from './download.ts';

/** After the default, smaller and CPU-friendly weights first. */
const FALLBACK_ORDER = ['quantized', 'q4', 'fp16', 'fp32'];

export interface VariantPlan {
  variant: string;
  /** The files still to fetch (those an earlier install holds are left out). */
  files: CatalogFile[];
  /** Set when 'auto' could not use the default variant: what was missing and what is used instead. */
  notice?: string;
}

export type RemoteChecker = (files: CatalogFile[]) => Promise<RemoteCheck[]>;

export function fallbackOrder(entry: DownloadableCatalogEntry, first: string): string[] {
  const rest = [...FALLBACK_ORDER, ...Object.keys(entry.variants)].filter((v) => v !== first && entry.variants[v]);
  return [first, ...new Set(rest)];
}

export async function planVariant(
  entry: DownloadableCatalogEntry,
  requested: string | undefined,
  check: RemoteChecker,
  alreadyHave: (file: CatalogFile) => boolean,
): Promise<VariantPlan> {
  const auto = requested === undefined || requested === 'auto';
  const first = auto ? entry.defaultVariant : requested;
  variantFiles(entry, first); // unknown variant: INVALID_PARAMETER listing the known ones
  const checks = new Map<string, RemoteCheck>();
  const missingOf = async (variant: string): Promise<RemoteCheck[]> => {
    const todo = variantFiles(entry, variant).filter((f) => !alreadyHave(f) && !checks.has(f.path));
    for (const r of await check(todo)) checks.set(r.path, r);
    const results = variantFiles(entry, variant)
      .filter((f) => !alreadyHave(f))
      .map((f) => checks.get(f.path) as RemoteCheck);
    const bad = results.find((r) => r.state === 'mismatch' || r.state === 'error');
    if (bad) throw remoteError(entry, variant, bad);
    return results.filter((r) => r.state === 'missing');
  };
  const where = `${entry.source.repo}@${entry.source.revision.slice(0, 7)}`;
  const tried: string[] = [];
  for (const variant of auto ? fallbackOrder(entry, first) : [first]) {
    const missing = await missingOf(variant);
    if (missing.length === 0) {
      const files = variantFiles(entry, variant).filter((f) => !alreadyHave(f));
      const notice =
        variant === first ? undefined : `${entry.id}: ${tried.join('; ')}; downloading the ${variant} variant instead`;
      return { variant, files, notice };
    }
    tried.push(`the ${variant} variant is incomplete on the server (missing ${names(missing)})`);
    if (!auto) {
      const available: string[] = [];
      for (const other of fallbackOrder(entry, first).slice(1)) {
        if ((await missingOf(other)).length === 0) available.push(other);
      }
      throw new EarshotError(
        'DOWNLOAD_FAILED',
        `${entry.id} (${variant}) cannot be downloaded: ${names(missing)} ${missing.length === 1 ? 'is' : 'are'} not on the server (HTTP 404 at ${where}). ${
          available.length
            ? `Variants available: ${available.join(', ')} (earshot models pull ${entry.id} --variant ${available[0]})`
            : 'No other variant is complete on the server either'
        }.`,
        { missing: missing.map((m) => m.path), variant, availableVariants: available },
      );
    }
  }
  throw new EarshotError(
    'DOWNLOAD_FAILED',
    `No variant of ${entry.id} is complete on the server (${where}): ${tried.join('; ')}.`,
    { missing: [...checks.values()].filter((c) => c.state === 'missing').map((c) => c.path), availableVariants: [] },
  );
}

function remoteError(entry: DownloadableCatalogEntry, variant: string, r: RemoteCheck): EarshotError {
  if (r.state === 'mismatch') {
    return new EarshotError(
      'CHECKSUM_MISMATCH',
      `${entry.id} (${variant}): ${r.path} on the server is not the pinned file: ${r.detail}. Nothing was downloaded.`,
      { file: r.path, announced: r.sha256 },
    );
  }
  return new EarshotError(
    'DOWNLOAD_FAILED',
    `Cannot reach ${r.path} of ${entry.id} (${entry.source.repo}): ${r.detail ?? 'no answer'}`,
    r.httpStatus ? { file: r.path, httpStatus: r.httpStatus } : { file: r.path },
  );
}

function names(list: RemoteCheck[]): string {
  return list.map((m) => m.path).join(', ');
}
