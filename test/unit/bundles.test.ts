import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

// `npm test` builds first; these check what ships, not the sources.
const dist = path.resolve(import.meta.dirname, '../../dist');

test('the sandboxed preload requires nothing but electron (a sandboxed preload cannot load Node modules)', () => {
  const preload = readFileSync(path.join(dist, 'preload/preload.cjs'), 'utf8');
  const required = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(required)], ['electron']);
});

test('the build produced main, preload, CLI, workers and the renderer', () => {
  for (const f of ['main/main.js', 'preload/preload.cjs', 'cli.js', 'renderer/index.html']) {
    assert.ok(existsSync(path.join(dist, f)), `missing dist/${f}`);
  }
  assert.match(readFileSync(path.join(dist, 'cli.js'), 'utf8'), /^#!\/usr\/bin\/env node/);
});

test('the renderer page carries a strict Content-Security-Policy', () => {
  const html = readFileSync(path.join(dist, 'renderer/index.html'), 'utf8');
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.match(csp, /object-src 'none'/);
  assert.doesNotMatch(csp, /unsafe-eval/);
});
