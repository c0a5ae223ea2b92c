import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { workerScriptPath } from '../paths.ts';
import type { ReindexItem, ReindexResult, ScannedFile, SearchRequest, SearchResponse } from './search-protocol.ts';
import type { SearchDoc } from './records.ts';
import type { SearchHit } from './search.ts';

/**
 * The index lives outside the worker's JS heap (search.ts), and what the heap sees is short-lived garbage (side files
 * parsed one at a time): a small young generation is enough, where V8's default lets it grow to ~48 MB and keeps it.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8 };

function startWorker(file: string, workerData: unknown): Worker {
  if (!file.endsWith('.ts')) return new Worker(file, { workerData, resourceLimits: WORKER_LIMITS });
  // Loader hooks are per thread: a .ts worker registers tsx first.
  const url = pathToFileURL(file).href;
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url)}); })`;
  return new Worker(boot, { eval: true, workerData, execArgv: [], resourceLimits: WORKER_LIMITS });
}

type Pending = { resolve(v: unknown): void; reject(e: Error): void };
type Body = SearchRequest extends infer R ? (R extends SearchRequest ? Omit<R, 'reqId'> : never) : never;

export class SearchClient {
  private worker?: Worker;
  private nextId = 1;
  private pending = new Map<number, Pending>();

  constructor(private readonly docsDir: string) {}

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker(workerScriptPath(import.meta.url, 'search-worker'), { docsDir: this.docsDir });
    worker.on('message', (m: SearchResponse) => {
      const p = this.pending.get(m.reqId);
      if (!p) return;
      this.pending.delete(m.reqId);
      if (this.pending.size === 0) worker.unref();
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(m.message));
    });
    const fail = (e: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`The search worker stopped (exit code ${code})`)));
    // Held only while a request waits for its answer (after the listeners: adding one refs the port again).
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private request<T>(body: Body): Promise<T> {
    const worker = this.ensure();
    const reqId = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      if (this.pending.size === 0) worker.ref();
      this.pending.set(reqId, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ ...body, reqId });
    });
  }

  /** The transcript files of each folder with their time and size. */
  scan(dirs: string[]): Promise<ScannedFile[][]> {
    return this.request({ type: 'scan', dirs });
  }

  reindex(items: ReindexItem[]): Promise<ReindexResult[]> {
    return this.request({ type: 'reindex', items });
  }

  /** Answers the ids that have no search side file. */
  load(ids: string[]): Promise<string[]> {
    return this.request({ type: 'load', ids });
  }

  upsert(doc: SearchDoc): Promise<void> {
    return this.request({ type: 'upsert', doc });
  }

  remove(id: string): Promise<void> {
    return this.request({ type: 'remove', id });
  }

  search(query: string, limit: number): Promise<SearchHit[]> {
    return this.request({ type: 'search', query, limit });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }
}
