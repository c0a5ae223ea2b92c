/**
 * `npm run bench:history`: History at scale, for 1,000 and 10,000 ten-minute transcripts (or the sizes given:
 * `npm run bench:history -- 2000`). For each size, in fresh processes:
 * - core, first open (builds the summaries and search indexes: once per install/upgrade) and every later open: time to
 *   the History list, search latency (median of 7, per kind of query), the main thread's longest block meanwhile,
 *   and process RSS (the search worker's memory included);
 * - the built renderer in Chromium over the real core (the e2e harness; needs `npm run build`): time from "go to
 *   History" until the first row is visible (library opening, the list over the contract and the render), again on
 *   reopening, and how many elements the page holds (the list is windowed).
 * Targets (issue 21): History visible < 300 ms, search < 50 ms, main-process RSS < 300 MB.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { startHarness } from '../../test/e2e/harness.ts';
import { writeHistory } from './history-data.ts';

interface CoreFigures {
  transcripts: number;
  listMs: number;
  firstSearchMs: number;
  searchMs: Record<string, number>;
  hits: Record<string, number>;
  mainBlockedMaxMs: number;
  rssAfterListMb: number;
  rssMb: number;
}

const child = path.join(import.meta.dirname, 'history-child.ts');

/**
 * The core figures come from the code as the app runs it: the child bundled by esbuild (like dist/main) with the
 * bundled search worker of `npm run build`, not TypeScript sources through tsx, whose compiler and loader in the main
 * thread and again in the worker would add ~50 MB of RSS the app never has. Without a build: from sources, said so.
 */
async function childArgs(): Promise<{ args: string[]; bundled: boolean }> {
  if (!existsSync('dist/workers/search-worker.js')) return { args: ['--import', 'tsx', child], bundled: false };
  const outfile = path.resolve('dist/bench/history-child.mjs');
  await build({
    entryPoints: [child],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return { args: [outfile], bundled: true };
}

async function core(dir: string, args: string[]): Promise<CoreFigures> {
  const { stdout } = await promisify(execFile)(process.execPath, [...args, dir], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

interface UiFigures {
  firstMs: number;
  reopenMs: number;
  elements: number;
  rows: number;
  /** Where the time to visible goes: the library opening at start (counted from the window showing), the core's
   *  page of 50 rows, the same over the contract from the page. */
  coreOpenMs: number;
  corePageMs: number;
  pageCallMs: number;
  pageBytes: number;
}

async function ui(home: string): Promise<UiFigures> {
  const h = await startHarness(home);
  try {
    const { page } = h;
    await page.locator('[data-testid=dropzone], [data-testid=welcome]').first().waitFor({ timeout: 60_000 });
    // The app opens the library at start (the queue asks which of its transcripts exist): when that ends, counted
    // from the window showing (not awaited: History is opened at once, as a user may).
    const shown = performance.now();
    const opened = h.desktop.library.has('x').then(() => performance.now() - shown);
    const visible = async () => {
      const t = performance.now();
      await h.sendCommand({ type: 'navigate', view: 'history' });
      await page.getByTestId('history-item').first().waitFor({ timeout: 120_000 });
      return performance.now() - t;
    };
    const firstMs = await visible();
    const elements = await page.evaluate(() => document.querySelectorAll('*').length);
    const rows = await page.getByTestId('history-item').count();
    await h.sendCommand({ type: 'navigate', view: 'settings' });
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    const reopenMs = await visible();
    // Phases, after the timed openings.
    const coreOpenMs = await opened;
    const t = performance.now();
    await h.desktop.library.page(0, 50);
    const corePageMs = performance.now() - t;
    const call = await page.evaluate(async () => {
      const api = (window as unknown as { earshot: import('../../electron/contract/api.ts').EarshotApi }).earshot;
      const s = performance.now();
      const r = await api.transcripts.page(0, 50);
      return { ms: performance.now() - s, bytes: JSON.stringify(r).length };
    });
    return {
      firstMs,
      reopenMs,
      elements,
      rows,
      coreOpenMs,
      corePageMs,
      pageCallMs: call.ms,
      pageBytes: call.bytes,
    };
  } finally {
    await h.close();
  }
}

const ms = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)} ms`;
const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const withUi = existsSync('dist/renderer/index.html');
console.log(
  `load: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} on ${os.availableParallelism()} CPUs`,
);
if (!withUi) console.log('(no dist/renderer: run `npm run build` for the Chromium figures)');
const { args, bundled } = await childArgs();
console.log(
  bundled
    ? 'core figures: bundled code, as the app runs it'
    : 'core figures: TypeScript sources through tsx (run `npm run build` to measure the bundled code the app runs)',
);
for (const n of sizes.length ? sizes : [1000, 10_000]) {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'earshot-bench-history-'));
  try {
    const dir = path.join(home, 'transcripts');
    const bytes = await writeHistory(dir, n);
    console.log(`\n${n} transcripts (${(bytes / 2 ** 30).toFixed(2)} GiB of transcript files)`);
    const first = await core(dir, args);
    console.log(`  first open (builds the indexes, once): History list ${ms(first.listMs)}`);
    const c = await core(dir, args);
    console.log(`  core: History list ${ms(c.listMs)} (${c.transcripts} rows), first search ${ms(c.firstSearchMs)}`);
    console.log(
      `  search (median of 7): ${Object.entries(c.searchMs)
        .map(([k, v]) => `${k} ${ms(v)} (${c.hits[k]} hits)`)
        .join(', ')}`,
    );
    console.log(`  main thread blocked at most ${ms(c.mainBlockedMaxMs)} while searching`);
    console.log(`  RSS ${c.rssAfterListMb.toFixed(0)} MB after the list, ${c.rssMb.toFixed(0)} MB after searching`);
    let u: UiFigures | undefined;
    if (withUi) {
      u = await ui(home);
      console.log(
        `  Chromium: History visible ${ms(u.firstMs)} (first), ${ms(u.reopenMs)} (reopened); ${u.rows} rows and ${u.elements} elements in the page`,
      );
      console.log(
        `  phases: library open ${ms(u.coreOpenMs)} after the window showed; a page of 50 rows: core ${ms(u.corePageMs)}, over the contract ${ms(u.pageCallMs)} (${(u.pageBytes / 1024).toFixed(0)} KB)`,
      );
    }
    const worstSearch = Math.max(...Object.values(c.searchMs));
    console.log(
      `  targets: ${u ? `History visible ${Math.max(u.firstMs, u.reopenMs) < 300 ? 'met' : 'MISSED'} (worst ${ms(Math.max(u.firstMs, u.reopenMs))}), ` : ''}list (core) ${c.listMs < 300 ? 'met' : 'MISSED'}, search ${worstSearch < 50 ? 'met' : 'MISSED'} (worst ${ms(worstSearch)}), RSS ${c.rssMb < 300 ? 'met' : 'MISSED'}`,
    );
  } finally {
    await fs.rm(home, { recursive: true, force: true });
  }
}
