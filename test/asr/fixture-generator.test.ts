/**
 * The fixture generator on a machine without Debian's python3-torch: it must stop with the apt command that
 * installs what it needs, not a Python traceback (a fresh machine used to stop there).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

test('make_whisper_fixture.py without torch names the Debian packages to install', () => {
  // torch blocked in sys.modules behaves as if the package were not installed.
  const run = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
      "import sys, runpy; sys.modules['torch'] = None; sys.argv = ['make_whisper_fixture.py', '--out', '/nonexistent']; runpy.run_path('tools/fixtures/make_whisper_fixture.py', run_name='__main__')",
    ],
    { encoding: 'utf8' },
  );
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /apt-get install -y --no-install-recommends python3-torch python3-onnx python3-numpy/);
  assert.doesNotMatch(run.stderr, /Traceback/);
});
