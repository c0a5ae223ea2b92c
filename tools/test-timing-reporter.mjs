/**
 * A node:test reporter that writes, per test file, the time its top-level tests took (JSON lines: file, ms, tests),
 * so tools/run-tests.ts can list the slowest files at the end of a run: the CI budget (20 minutes on two cores) is
 * kept by knowing where the time goes, not by guessing. Plain JavaScript: node loads reporters before `--import tsx`.
 */
import path from 'node:path';

/** @param {AsyncIterable<{ type: string, data?: { file?: string, nesting?: number, details?: { duration_ms?: number } } }>} source */
export default async function* timingReporter(source) {
  /** @type {Map<string, { ms: number, tests: number }>} */
  const files = new Map();
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { file, nesting, details } = event.data ?? {};
    if (!file || nesting !== 0) continue;
    const f = files.get(file) ?? { ms: 0, tests: 0 };
    f.ms += details?.duration_ms ?? 0;
    f.tests++;
    files.set(file, f);
  }
  for (const [file, f] of files) {
    yield `${JSON.stringify({ file: path.relative(process.cwd(), file), ms: Math.round(f.ms), tests: f.tests })}\n`;
  }
}
