/**
 * Runs every test suite with node's test runner (unit, integration, e2e), and ends with one line
 * `N passed, N failed` that counts them all. Usage: tsx tools/run-tests.ts [dir-or-file ...] [--node-test-flag ...]
 * Flags are handed to node's runner, e.g. `--test-name-pattern='^cancel a long job$'` runs one test alone.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
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

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...flags, ...files],
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
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exit(code === 0 && failed === 0 ? 0 : 1);
});
