/**
 * Runs every test suite with node's test runner (unit, integration, e2e), and ends with one line
 * `N passed, N failed` that counts them all. Usage: tsx tools/run-tests.ts [dir-or-file ...] [--node-test-flag ...]
 * Flags are handed to node's runner, e.g. `--test-name-pattern='^cancel a long job$'` runs one test alone.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function findTests(target: string): string[] {
  if (statSync(target).isFile()) return [target];
  const out: string[] = [];
  for (const entry of readdirSync(target, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'fixtures') continue;
    const p = path.join(target, entry.name);
    if (entry.isDirectory()) out.push(...findTests(p));
    else if (/\.test\.tsx?$/.test(entry.name)) out.push(p);
  }
  return out.sort();
}

const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('--'));
const targets = args.filter((a) => !a.startsWith('--'));
const files = (targets.length ? targets : ['test']).flatMap(findTests);
if (files.length === 0) {
  console.log('0 passed, 0 failed');
  process.exit(1);
}

// Per-file times go to a second reporter's file; the slowest files are listed before the final line.
const timingDir = mkdtempSync(path.join(os.tmpdir(), 'earshot-test-times-'));
const timingFile = path.join(timingDir, 'times.jsonl');
const reporters = [
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  `--test-reporter=${path.join(import.meta.dirname, 'test-timing-reporter.mjs')}`,
  `--test-reporter-destination=${timingFile}`,
];
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', ...reporters, '--test-concurrency=1', ...flags, ...files],
  { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_ENV: 'test' } },
);
let passed = 0;
let failed = 0;
// A test cancelled because its hook or its file failed did not pass: it counts as failed.
let cancelled = 0;
let buffer = '';
child.stdout.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk);
  buffer += chunk.toString();
  const lines = buffer.split('\n');
  buffer = lines.pop() ?? '';
  for (const line of lines) count(line);
});
function count(line: string) {
  const m = /^ℹ (pass|fail|cancelled) (\d+)$/.exec(line.trim());
  if (m) {
    if (m[1] === 'pass') passed = Number(m[2]);
    else if (m[1] === 'fail') failed = Number(m[2]);
    else cancelled = Number(m[2]);
  }
}
child.on('close', (code) => {
  count(buffer);
  failed += cancelled;
  printSlowest();
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exit(code === 0 && failed === 0 ? 0 : 1);
});

function printSlowest(): void {
  let times: { file: string; ms: number; tests: number }[] = [];
  try {
    times = readFileSync(timingFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } catch {
    return; // no file: the run ended before any test
  } finally {
    rmSync(timingDir, { recursive: true, force: true });
  }
  if (times.length < 2) return;
  const total = times.reduce((s, t) => s + t.ms, 0);
  console.log(`\nslowest test files (of ${times.length}, ${(total / 60_000).toFixed(1)} min of tests in all):`);
  for (const t of times.sort((a, b) => b.ms - a.ms).slice(0, 15)) {
    console.log(`  ${(t.ms / 1000).toFixed(1).padStart(6)} s  ${t.file} (${t.tests})`);
  }
}
