import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes a file that can always be rebuilt from the transcripts (a search side file): renamed into place so readers
 * never see half of it, but not fsynced, since after a crash a damaged one is only read again from its transcript.
 * Ten thousand fsyncs were most of the first indexing's time.
 */
export async function writeDerivedFile(file: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await fs.writeFile(tmp, text);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
}
