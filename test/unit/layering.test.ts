import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { findViolations } from '../../tools/check-layering.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'earshot-layering-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmp, 't-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

test('the project tree respects the layering rule', () => {
  assert.deepEqual(findViolations(path.resolve(import.meta.dirname, '../..')), []);
});

test('core importing electron is a violation', () => {
  const root = tree({ 'electron/core/a.ts': "import { app } from 'electron';\n" });
  const v = findViolations(root);
  assert.equal(v.length, 1);
  assert.match(v[0].rule, /must not import electron/);
});

test('core importing main, preload or renderer is a violation, also through dynamic import and require', () => {
  const root = tree({
    'electron/core/x/a.ts':
      "import { w } from '../../main/window.ts';\nconst p = await import('../../preload/preload.ts');\n",
    'electron/core/b.ts': "const r = require('../../renderer/src/App.tsx');\n",
  });
  assert.deepEqual(
    findViolations(root)
      .map((v) => v.specifier)
      .sort(),
    ['../../main/window.ts', '../../preload/preload.ts', '../../renderer/src/App.tsx'].sort(),
  );
});

test('renderer importing node built-ins or core runtime code is a violation', () => {
  const root = tree({
    'renderer/src/a.tsx':
      "import fs from 'node:fs';\nimport path from 'path';\nimport { dataHome } from '../../electron/core/paths.ts';\n",
  });
  assert.deepEqual(
    findViolations(root).map((v) => v.specifier),
    ['node:fs', 'path', '../../electron/core/paths.ts'],
  );
});

test('renderer may import types from the contract, but not its runtime values', () => {
  const root = tree({
    'renderer/src/ok.ts': "import type { EarshotApi } from '../../electron/contract/api.ts';\n",
    'renderer/src/bad.ts': "import { EVENT_CHANNELS } from '../../electron/contract/api.ts';\n",
  });
  const v = findViolations(root);
  assert.equal(v.length, 1);
  assert.equal(v[0].file, 'renderer/src/bad.ts');
});

test("renderer may run the contract's pure rules (contract/rules.ts), which may import nothing impure", () => {
  const root = tree({
    'renderer/src/ok.ts': "import { urlProblem } from '../../electron/contract/rules.ts';\n",
    'electron/contract/rules.ts': "export { urlProblem } from '../core/url-rule.ts';\n",
    'electron/core/url-rule.ts': "import { EarshotError } from './errors.ts';\nimport os from 'node:os';\n",
    'electron/core/errors.ts': "import { z } from 'zod';\n",
  });
  assert.deepEqual(
    findViolations(root)
      .map((v) => `${v.file} ${v.specifier}`)
      .sort(),
    ['electron/core/errors.ts zod', 'electron/core/url-rule.ts node:os'],
  );
});

test('the JavaScript client package imports only its own files: no Node built-ins, no packages, nothing of the app', () => {
  const root = tree({
    'clients/js/src/ok.ts': "import { a } from './errors.js';\nexport type { B } from './types.js';\n",
    'clients/js/src/bad.ts':
      "import fs from 'node:fs';\nimport { z } from 'zod';\nimport { EarshotError } from '../../../electron/core/errors.ts';\n",
  });
  assert.deepEqual(
    findViolations(root).map((v) => `${v.file} ${v.specifier}`),
    [
      'clients/js/src/bad.ts node:fs',
      'clients/js/src/bad.ts zod',
      'clients/js/src/bad.ts ../../../electron/core/errors.ts',
    ],
  );
});

/** dependency-cruiser with the project's rules (.dependency-cruiser.cjs) over `root`'s electron/ folder. */
function depcruise(root: string): { status: number | null; output: string } {
  const repo = path.resolve(import.meta.dirname, '../..');
  const r = spawnSync(
    process.execPath,
    [
      path.join(repo, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
      'electron',
      '--config',
      path.join(repo, '.dependency-cruiser.cjs'),
      '--output-type',
      'err',
    ],
    { cwd: root, encoding: 'utf8' },
  );
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

test('dependency-cruiser: a planted cycle between asr and audio fails the check, naming both rules broken', () => {
  const root = tree({
    'electron/core/asr/a.ts': "import { b } from '../audio/b.ts';\nexport const a = () => b;\n",
    'electron/core/audio/b.ts': "import { a } from '../asr/a.ts';\nexport const b = () => a;\n",
  });
  const r = depcruise(root);
  assert.notEqual(r.status, 0, r.output);
  assert.match(r.output, /no-circular: electron\/core\/asr\/a\.ts/);
  assert.match(r.output, /layer-audio: electron\/core\/audio\/b\.ts → electron\/core\/asr\/a\.ts/);
});

test('dependency-cruiser: imports along the declared layers pass', () => {
  const root = tree({
    'electron/core/asr/a.ts': "import { b } from '../audio/b.ts';\nexport const a = () => b;\n",
    'electron/core/audio/b.ts': 'export const b = 1;\n',
  });
  const r = depcruise(root);
  assert.equal(r.status, 0, r.output);
});
