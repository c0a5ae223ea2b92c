/**
 * One library opening in a fresh process (so its memory is only the library's): time to the History list, search
 * latency as the main thread sees it (the search runs in the worker), the longest the main thread was blocked while
 * searching, and the process RSS (worker thread included). Prints one JSON line. Usage: history-child.ts <dir>
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { TranscriptLibrary } from '../../electron/core/library/library.ts';
import { COMMON_WORD, RARE_WORD } from './history-data.ts';

const dir = process.argv[2];
const t0 = performance.now();
const lib = new TranscriptLibrary(dir);
const list = await lib.list();
const listMs = performance.now() - t0;
const rssAfterListMb = process.memoryUsage().rss / 2 ** 20;

const t1 = performance.now();
await lib.search(RARE_WORD);
const firstSearchMs = performance.now() - t1;

const queries: Record<string, string> = {
  rare: RARE_WORD,
  common: COMMON_WORD,
  phrase: 'budget kalo',
  title: 'recording 4242',
  none: 'xylophone quartz',
  short: 'zq',
};
const eld = monitorEventLoopDelay({ resolution: 5 });
eld.enable();
const searchMs: Record<string, number> = {};
const hits: Record<string, number> = {};
for (const [name, q] of Object.entries(queries)) {
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const s = performance.now();
    hits[name] = (await lib.search(q)).length;
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  searchMs[name] = times[3];
}
eld.disable();
const rssMb = process.memoryUsage().rss / 2 ** 20;
await lib.close();
console.log(
  JSON.stringify({
    transcripts: list.length,
    listMs,
    firstSearchMs,
    searchMs,
    hits,
    mainBlockedMaxMs: eld.max / 1e6,
    rssAfterListMb,
    rssMb,
  }),
);
