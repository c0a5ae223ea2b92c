/** `earshot models ...` end to end: real processes, a real HTTP server on 127.0.0.1, EARSHOT_HOME in a temp dir. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { formatBytes } from '../../electron/core/format/sizes.ts';
import { startHub, type HubServer } from './hf-server.ts';
import { FIXTURES, REPO, REVISION, tempDir, testCatalog } from './helpers.ts';

let hub: HubServer;
let home: { dir: string; cleanup: () => Promise<void> };
let env: NodeJS.ProcessEnv;

before(async () => {
  hub = await startHub(path.join(FIXTURES, 'whisper-mini'), REPO, REVISION);
  home = await tempDir('earshot-cli-models-');
  const catalogFile = path.join(home.dir, 'catalog.json');
  await writeFile(catalogFile, JSON.stringify(testCatalog()));
  env = {
    ...process.env,
    EARSHOT_HOME: path.join(home.dir, 'home'),
    EARSHOT_MODEL_CATALOG: catalogFile,
    EARSHOT_BUNDLED_MODELS: FIXTURES,
    HF_ENDPOINT: hub.url,
    HTTP_PROXY: '',
    HTTPS_PROXY: '',
    http_proxy: '',
    https_proxy: '',
  };
});
after(async () => {
  await hub.close();
  await home.cleanup();
});

function earshot(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'electron/cli.ts', 'models', ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('pull with progress, list, default, remove', async () => {
  let r = await earshot('list', '--json');
  assert.equal(r.code, 0, r.stderr);
  const before = JSON.parse(r.stdout) as { id: string; installed: boolean }[];
  assert.deepEqual(
    before.map((m) => [m.id, m.installed]),
    [
      ['ctc-mini', true],
      ['whisper-mini', false],
    ],
  );

  r = await earshot('pull', 'whisper-mini', '--variant', 'quantized');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^downloading whisper-mini: .* \/ .*\(\d+%\)/m);
  assert.match(r.stderr, /^installed whisper-mini: .*\(100%\)/m);
  const dir = path.join(env.EARSHOT_HOME ?? '', 'models', 'whisper-mini');
  assert.match(r.stdout, new RegExp(`Installed whisper-mini \\(quantized\\) in ${dir}`));

  r = await earshot('list');
  // Sizes in the table are the one formatter's (core/format/sizes.ts), from the same bytes as --json.
  const listed = JSON.parse((await earshot('list', '--json')).stdout) as { id: string; sizeBytes?: number }[];
  const ctc = listed.find((m) => m.id === 'ctc-mini');
  assert.ok(ctc?.sizeBytes);
  assert.match(
    r.stdout,
    new RegExp(`^\\s*ctc-mini\\s.*\\s~?${formatBytes(ctc.sizeBytes).replace('.', '\\.')}\\s`, 'm'),
  );
  // The mini fixture's decoder has no cross-attention outputs: its word times are approximate, read from the files.
  assert.match(r.stdout, /whisper-mini\s+whisper\s+installed \(quantized\)\s+\S+ \S+\s+en\s+approximate/);

  r = await earshot('default', 'whisper-mini');
  assert.equal(r.code, 0, r.stderr);
  r = await earshot('list');
  assert.match(r.stdout, /^\* whisper-mini/m);

  r = await earshot('remove', 'whisper-mini');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(existsSync(dir), false);
  r = await earshot('default');
  assert.match(r.stdout, /^ctc-mini \(no default set/);
});

test('a named variant with a file missing on the server exits non-zero at once, naming it and the variants available', async () => {
  hub.faults.missing?.add('onnx/encoder_model.onnx');
  try {
    const r = await earshot('pull', 'whisper-mini', '--variant', 'fp32');
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /onnx\/encoder_model\.onnx is not on the server .*Variants available: quantized .*\(DOWNLOAD_FAILED\)/,
    );
    assert.doesNotMatch(r.stderr, /resume/);
    assert.equal(existsSync(path.join(env.EARSHOT_HOME ?? '', 'models', 'whisper-mini')), false);
    // --variant auto (the default) takes the next complete variant and says so.
    const auto = await earshot('pull', 'whisper-mini', '--variant', 'auto');
    assert.equal(auto.code, 0, auto.stderr);
    assert.match(
      auto.stderr,
      /Note: whisper-mini: the fp32 variant is incomplete on the server \(missing onnx\/encoder_model\.onnx\); downloading the quantized variant instead/,
    );
    assert.match(auto.stdout, /Installed whisper-mini \(quantized\)/);
    assert.equal((await earshot('remove', 'whisper-mini')).code, 0);
  } finally {
    hub.faults.missing?.clear();
  }
});

test('import: a broken folder is refused with the exact problem; a good one is installed', async () => {
  const src = path.join(home.dir, 'broken');
  await cp(path.join(FIXTURES, 'whisper-mini'), src, { recursive: true });
  await rm(path.join(src, 'onnx', 'encoder_model.onnx'));
  let r = await earshot('import', src);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    `earshot: ${src} cannot be imported:\n- missing onnx/encoder_model.onnx (needed for variant fp32) (MODEL_INVALID)\n`,
  );
  r = await earshot('import', path.join(FIXTURES, 'ctc-mini'), '--id', 'my-ctc');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Imported my-ctc \(ctc: fp32\)/);
});

test('recommend measures an installed model on this machine', async () => {
  const r = await earshot('recommend', '--seconds', '0.3', '--json');
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.ok(report.machine.memoryBytes > 0);
  assert.ok(report.machine.devices.includes('cpu'));
  assert.equal(typeof report.recommendation.id, 'string');
  assert.ok(report.calibration.msPerRun > 0 && report.calibration.runs >= 3);
});
