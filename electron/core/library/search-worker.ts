/**
 * The library's search worker: builds and queries the in-memory search index (search.ts) off the main thread, and
 * reads transcript files that the summaries index has to (re)learn, so parsing thousands of them never blocks the
 * window. Messages are handled one at a time, in order, so a search always sees every edit sent before it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { writeDerivedFile } from './derived-file.ts';
import { isStoredTranscript, type SearchDoc, searchDocOf, summarize, TRANSCRIPT_ID_RE } from './records.ts';
import type { ReindexResult, ScannedFile, SearchRequest, SearchResponse } from './search-protocol.ts';
import { SearchIndex } from './search.ts';

const { docsDir } = workerData as { docsDir: string };
const docFile = (id: string) => path.join(docsDir, `${id}.json`);

function readDoc(id: string): SearchDoc | undefined {
  try {
    return JSON.parse(readFileSync(docFile(id), 'utf8')) as SearchDoc;
  } catch {
    return undefined;
  }
}

const index = new SearchIndex(readDoc);

async function reindex(items: { id: string; file: string; live: boolean }[]): Promise<ReindexResult[]> {
  const out: ReindexResult[] = [];
  for (const item of items) {
    try {
      const t: unknown = JSON.parse(await fs.readFile(item.file, 'utf8'));
      if (!isStoredTranscript(t) || t.id !== item.id) {
        out.push({ id: item.id });
        continue;
      }
      if (item.live) {
        const doc = searchDocOf(t);
        await writeDerivedFile(docFile(t.id), JSON.stringify(doc));
        index.add(doc);
      }
      out.push({ id: item.id, summary: summarize(t) });
    } catch (e) {
      // Unreadable or not JSON: left out of History (and reported by the library) rather than hiding the whole history.
      out.push({ id: item.id, ...((e as NodeJS.ErrnoException).code === 'ENOENT' ? { gone: true } : {}) });
    }
  }
  return out;
}

/** `<id>.json` files of each folder with their time and size (a folder that cannot be read fails the request). */
function scan(dirs: string[]): ScannedFile[][] {
  return dirs.map((dir) => {
    const out: ScannedFile[] = [];
    for (const name of readdirSync(dir)) {
      const id = name.slice(0, -5);
      if (!name.endsWith('.json') || !TRANSCRIPT_ID_RE.test(id)) continue;
      try {
        const st = statSync(path.join(dir, name));
        if (st.isFile()) out.push([id, st.mtimeMs, st.size]);
      } catch {
        // Removed meanwhile: not there.
      }
    }
    return out;
  });
}

/** Loads the side files of these transcripts; answers the ids that have none. */
function load(ids: string[]): string[] {
  const missing: string[] = [];
  for (const id of ids) {
    const doc = readDoc(id);
    if (doc) index.add(doc);
    else missing.push(id);
  }
  return missing;
}

async function handle(m: SearchRequest): Promise<unknown> {
  switch (m.type) {
    case 'scan':
      return scan(m.dirs);
    case 'reindex':
      return reindex(m.items);
    case 'load':
      return load(m.ids);
    case 'upsert':
      index.add(m.doc);
      return null;
    case 'remove':
      index.remove(m.id);
      return null;
    case 'search':
      return index.search(m.query, m.limit);
  }
}

let queue = Promise.resolve();
parentPort!.on('message', (m: SearchRequest) => {
  queue = queue.then(async () => {
    let reply: SearchResponse;
    try {
      reply = { reqId: m.reqId, ok: true, value: (await handle(m)) as never };
    } catch (e) {
      reply = { reqId: m.reqId, ok: false, message: e instanceof Error ? e.message : String(e) };
    }
    parentPort!.postMessage(reply);
  });
});
