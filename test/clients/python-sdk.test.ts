/**
 * The Python client (clients/python, import name `smallest`) against a real `earshot serve`, with Debian's
 * /usr/bin/python3 and python3-pytest: each pytest test becomes one test here, so the final count includes them.
 * Then the package as users get it: `pip install` into a fresh virtual environment, offline, and the seed's snippet
 * run verbatim (only the addresses and the key filled in) from outside the source tree; and mypy --strict over it.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { MAX_DURATION_S, MAX_SIZE_MB, pythonDir, type SdkWorld, sdkModel, startSdkWorld } from './harness.ts';
import { fillSeedSnippet, SEED_PYTHON } from './seed-snippets.ts';

const execFileAsync = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const pythonEnv = { ...process.env, PYTHONPATH: path.join(pythonDir, 'src'), PYTHONDONTWRITEBYTECODE: '1' };

/** The pytest node ids, collected without a server (collection only imports the test modules). */
function collect(): string[] {
  const out = execFileSync(PYTHON, ['-m', 'pytest', '--collect-only', '-q', '-p', 'no:cacheprovider', 'tests'], {
    cwd: pythonDir,
    env: pythonEnv,
    encoding: 'utf8',
  });
  return out.split('\n').filter((l) => l.includes('::'));
}

const model = sdkModel();
const ids = model ? collect() : [];

describe('Python client against earshot serve', { skip: model ? false : 'no speech model' }, () => {
  let world: SdkWorld;
  let outcomes: Record<string, { outcome: string; details: string }> = {};
  let pytestOutput = '';
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'earshot-pysdk-'));

  before(async () => {
    world = await startSdkWorld('pysdk');
    const report = path.join(tmp, 'report.json');
    const env = {
      ...pythonEnv,
      EARSHOT_URL: world.serve.url,
      EARSHOT_KEY: world.keys.valid,
      EARSHOT_KEY_SINGLE: world.keys.single,
      EARSHOT_KEY_EXPIRED: world.keys.expired,
      EARSHOT_KEY_NOT_YET_VALID: world.keys.notYetValid,
      EARSHOT_KEY_QUOTA: world.keys.quota,
      EARSHOT_FILES_URL: world.files.url,
      EARSHOT_HOOKS_URL: world.hooks.url,
      EARSHOT_RESET_URL: world.resetProxy.url,
      EARSHOT_DEAD_URL: world.deadUrl,
      EARSHOT_SPEECH: world.speech,
      EARSHOT_LONG: world.long,
      EARSHOT_MAX_SIZE_MB: String(MAX_SIZE_MB),
      EARSHOT_MAX_DURATION_S: String(MAX_DURATION_S),
      EARSHOT_CORRUPT: world.corrupt,
      EARSHOT_PYTEST_REPORT: report,
    };
    // Asynchronous: the file server, webhook receiver and proxy live in this process and must keep answering.
    const run = await execFileAsync(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests'], {
      cwd: pythonDir,
      env,
      timeout: 600_000,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((e: { stdout?: string; stderr?: string }) => e);
    pytestOutput = `${run.stdout ?? ''}${run.stderr ?? ''}`;
    if (existsSync(report)) outcomes = JSON.parse(readFileSync(report, 'utf8'));
  });

  after(async () => {
    await world?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('pytest collected the client tests', () => {
    assert.ok(ids.length >= 20, `only ${ids.length} tests collected`);
  });

  for (const id of ids) {
    test(`pytest ${id}`, () => {
      const result = outcomes[id];
      assert.ok(result, `no outcome for ${id}; pytest said:\n${pytestOutput.slice(-4000)}`);
      assert.equal(result.outcome, 'passed', result.details);
    });
  }

  test("pip installs the package into a fresh virtual environment offline, and the seed's snippet runs verbatim", async () => {
    // A copy, so that building leaves nothing in the source tree; the venv sees Debian's requests and setuptools.
    const source = path.join(tmp, 'earshot-client');
    cpSync(pythonDir, source, { recursive: true, filter: (p) => !/(__pycache__|\.egg-info|\/build$)/.test(p) });
    const venv = path.join(tmp, 'venv');
    execFileSync(PYTHON, ['-m', 'venv', '--system-site-packages', venv]);
    const py = path.join(venv, 'bin', 'python');
    execFileSync(py, ['-m', 'pip', 'install', '--no-index', '--no-build-isolation', '--quiet', source], {
      env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' },
      stdio: 'pipe',
    });
    const where = execFileSync(py, ['-c', 'import smallest, os; print(os.path.dirname(smallest.__file__))'], {
      cwd: tmp,
      encoding: 'utf8',
    }).trim();
    assert.ok(where.startsWith(venv), `imported from ${where}, not from the venv`);
    assert.ok(existsSync(path.join(where, 'py.typed')), 'py.typed is installed');
    const show = execFileSync(py, ['-m', 'pip', 'show', 'earshot-client'], { encoding: 'utf8' });
    assert.match(show, /^Version: 0\.1\.0$/m);
    assert.match(show, /^Requires: requests$/m);

    const snippet = path.join(tmp, 'snippet.py');
    writeFileSync(
      snippet,
      fillSeedSnippet(SEED_PYTHON, world.serve.url, world.keys.valid, `${world.files.url}/hello.wav`),
    );
    const { stdout } = await execFileAsync(py, [snippet], { cwd: tmp, env: { PATH: process.env.PATH } });
    const expected = await execFileAsync(
      PYTHON,
      [
        '-c',
        'import sys; from smallest import Client; print(Client(sys.argv[1], sys.argv[2]).transcribe_url(sys.argv[3]).text)',
        world.serve.url,
        world.keys.valid,
        `${world.files.url}/hello.wav`,
      ],
      { env: pythonEnv },
    );
    assert.ok(stdout.trim().length > 0, 'the snippet printed the transcript');
    assert.equal(stdout, expected.stdout);
  });

  test('the package type-checks with mypy --strict and parses as Python 3.9', () => {
    const sources = path.join(pythonDir, 'src', 'smallest');
    execFileSync(
      PYTHON,
      [
        '-c',
        'import ast, pathlib, sys\nfor p in pathlib.Path(sys.argv[1]).glob("*.py"): ast.parse(p.read_text(), str(p), feature_version=(3, 9))',
        sources,
      ],
      { stdio: 'pipe' },
    );
    const mypy = execFileSync(
      PYTHON,
      ['-m', 'mypy', '--strict', '--python-version', '3.9', '--no-incremental', '--cache-dir', '/dev/null', sources],
      { encoding: 'utf8', env: pythonEnv },
    );
    assert.match(mypy, /^Success: no issues found/m);
  });
});
