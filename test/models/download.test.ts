import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { EarshotError } from '../../electron/core/errors.ts';
import { ModelManager, type ModelManagerOptions } from '../../electron/core/models/index.ts';
import { eventually } from '../server/harness.ts';
import { startHub, type HubServer } from './hf-server.ts';
import { FIXTURES, REPO, REVISION, sha256Of, tempDir, testCatalog } from './helpers.ts';

let hub: HubServer;
let home: { dir: string; cleanup: () => Promise<void> };
const DECODER = 'onnx/decoder_model_merged.onnx';

before(async () => {
  hub = await startHub(path.join(FIXTURES, 'whisper-mini'), REPO, REVISION);
});
after(() => hub.close());
beforeEach(async () => {
  await home?.cleanup();
  home = await tempDir('earshot-models-');
  hub.log.length = 0;
  hub.faults.dropAfter?.clear();
  hub.faults.corrupt?.clear();
  hub.faults.stall?.clear();
  hub.faults.missing?.clear();
  hub.faults.vanish?.clear();
  hub.faults.replace?.clear();
  hub.faults.noHashHeaders?.clear();
});
after(() => home?.cleanup());

function manager(extra: ModelManagerOptions['download'] = {}, catalog = testCatalog()): ModelManager {
  return new ModelManager({
    modelsDir: path.join(home.dir, 'models'),
    bundledDir: FIXTURES,
    catalog,
    endpoint: hub.url,
    download: { retries: 2, backoffMs: 10, stallTimeoutMs: 2000, reserveBytes: 0, ...extra },
  });
}

async function rejectsWith(p: Promise<unknown>, code: string, message?: RegExp): Promise<EarshotError> {
  const e = await p.then(
    () => assert.fail('expected a failure'),
    (err: unknown) => err,
  );
  assert.ok(e instanceof EarshotError, String(e));
  assert.equal(e.code, code, e.message);
  if (message) assert.match(e.message, message);
  return e;
}

/** Visible model folders (what `list` would show), ignoring dot work areas. */
async function visibleModels(): Promise<string[]> {
  const dir = path.join(home.dir, 'models');
  if (!existsSync(dir)) return [];
  return (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name);
}

test('full download: verified, installed atomically, progress reported, listed', async () => {
  const m = manager();
  const states: string[] = [];
  let lastProgress = { receivedBytes: 0, totalBytes: 0 };
  const info = await m.pull('whisper-mini', {
    onProgress: (p) => {
      if (states.at(-1) !== p.state) states.push(p.state);
      lastProgress = p;
    },
  });
  assert.equal(info.installed, true);
  assert.deepEqual(info.variants, ['fp32']);
  assert.deepEqual(states, ['downloading', 'verifying', 'installed']);
  assert.equal(lastProgress.receivedBytes, lastProgress.totalBytes);
  const dir = path.join(home.dir, 'models', 'whisper-mini');
  const original = await readFile(path.join(FIXTURES, 'whisper-mini', DECODER));
  assert.deepEqual(await readFile(path.join(dir, DECODER)), original);
  const meta = JSON.parse(await readFile(path.join(dir, '.earshot-model.json'), 'utf8'));
  assert.equal(meta.verification[DECODER], 'sha256');
  assert.equal(meta.verification['config.json'], 'git-blob');
  assert.equal(existsSync(m.partialDir('whisper-mini')), false, 'partial area cleaned up');
  // Large files went through the Hub-style redirect to the CDN path.
  assert.ok(hub.log.some((r) => r.status === 302) && hub.log.some((r) => r.path.startsWith('/cdn/')));
  // Adding a second variant keeps the first and fetches only the new weights.
  hub.log.length = 0;
  const both = await m.pull('whisper-mini', { variant: 'quantized' });
  assert.deepEqual(both.variants, ['fp32', 'quantized']);
  assert.ok(
    hub.log.every((r) => r.path.includes('_quantized')),
    JSON.stringify(hub.log),
  );
  assert.deepEqual(await visibleModels(), ['whisper-mini']);
});

test('an interrupted download resumes with Range from where it stopped', async () => {
  hub.faults.dropAfter?.set(DECODER, { bytes: 100_000, times: 1 });
  const m = manager();
  await m.pull('whisper-mini');
  const ranges = hub.log.filter((r) => r.method === 'GET' && r.path === `/cdn/${DECODER}`).map((r) => r.range);
  assert.deepEqual(ranges, [undefined, 'bytes=100000-']);
  const original = await readFile(path.join(FIXTURES, 'whisper-mini', DECODER));
  assert.deepEqual(await readFile(path.join(home.dir, 'models', 'whisper-mini', DECODER)), original);
});

test('a failure keeps the partial file; the next pull resumes it', async () => {
  const m = manager({ retries: 1 });
  const part = path.join(m.partialDir('whisper-mini'), `${DECODER}.part`);
  // Each drop comes once the client has stored what it was sent (as on a network that fails after delivering):
  // bytes still queued in a response stream when its connection dies are lost with it, which would make the
  // figures below depend on how fast a loaded machine reads.
  let stored = 0;
  const whenStored = async () => {
    stored += 50_000;
    await eventually(async () => (await stat(part).catch(() => undefined))?.size === stored, 10_000);
  };
  hub.faults.dropAfter?.set(DECODER, { bytes: 50_000, times: 3, when: whenStored });
  await rejectsWith(m.pull('whisper-mini'), 'DOWNLOAD_FAILED', /after 2 attempts/);
  assert.deepEqual(await visibleModels(), []);
  assert.equal((await stat(part)).size, 100_000);
  hub.log.length = 0;
  await m.pull('whisper-mini');
  assert.deepEqual(
    hub.log.filter((r) => r.method === 'GET' && r.path === `/cdn/${DECODER}`).map((r) => r.range),
    ['bytes=100000-', 'bytes=150000-'],
  );
  assert.deepEqual(await visibleModels(), ['whisper-mini']);
});

test('a corrupted byte fails verification and installs nothing', async () => {
  hub.faults.corrupt?.add(DECODER);
  const m = manager();
  const states: string[] = [];
  const e = await rejectsWith(
    m.pull('whisper-mini', { onProgress: (p) => states.push(p.state) }),
    'CHECKSUM_MISMATCH',
    /onnx\/decoder_model_merged\.onnx failed verification: expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}/,
  );
  assert.equal(e.details.file, DECODER);
  assert.equal(states.at(-1), 'failed');
  assert.deepEqual(await visibleModels(), []);
  assert.equal(existsSync(path.join(m.partialDir('whisper-mini'), `${DECODER}.part`)), false);
  assert.equal((await m.list()).find((x) => x.id === 'whisper-mini')?.installed, false);
});

test('a file that vanishes between the check and the download fails with DOWNLOAD_FAILED naming the URL, without retrying', async () => {
  hub.faults.vanish?.add('tokenizer.json');
  const e = await rejectsWith(
    manager().pull('whisper-mini'),
    'DOWNLOAD_FAILED',
    new RegExp(`resolve/${REVISION}/tokenizer\\.json not found on the server`),
  );
  assert.equal(e.details.httpStatus, 404);
  assert.equal(hub.log.filter((r) => r.method === 'GET' && r.path.endsWith('/tokenizer.json')).length, 1);
  assert.deepEqual(await visibleModels(), []);
});

test('the check finds a missing file of a named variant at once: named, with the variants that are available', async () => {
  hub.faults.missing?.add('onnx/decoder_model_merged_quantized.onnx');
  const states: string[] = [];
  const e = await rejectsWith(
    manager().pull('whisper-mini', { variant: 'quantized', onProgress: (p) => states.push(p.state) }),
    'DOWNLOAD_FAILED',
    /whisper-mini \(quantized\) cannot be downloaded: onnx\/decoder_model_merged_quantized\.onnx is not on the server \(HTTP 404 at earshot-test\/whisper-mini@0123456\)\. Variants available: fp32 \(earshot models pull whisper-mini --variant fp32\)/,
  );
  assert.deepEqual(e.details.missing, ['onnx/decoder_model_merged_quantized.onnx']);
  assert.deepEqual(e.details.availableVariants, ['fp32']);
  assert.deepEqual(states, ['failed']);
  // Not one byte was downloaded: every request was a HEAD.
  assert.ok(hub.log.length > 0 && hub.log.every((r) => r.method === 'HEAD'), JSON.stringify(hub.log));
  assert.equal(existsSync(path.join(home.dir, 'models', '.partial', 'whisper-mini')), false);
  assert.deepEqual(await visibleModels(), []);
});

test('auto falls back to the next variant complete on the server and says so', async () => {
  hub.faults.missing?.add('onnx/encoder_model.onnx');
  const notices: string[] = [];
  const info = await manager().pull('whisper-mini', {
    variant: 'auto',
    onProgress: (p) => {
      if (p.notice && !notices.includes(p.notice)) notices.push(p.notice);
    },
  });
  assert.deepEqual(info.variants, ['quantized']);
  assert.deepEqual(notices, [
    'whisper-mini: the fp32 variant is incomplete on the server (missing onnx/encoder_model.onnx); downloading the quantized variant instead',
  ]);
  const fetched = hub.log.filter((r) => r.method === 'GET').map((r) => r.path);
  assert.ok(
    fetched.length > 0 &&
      fetched.every((p) => !p.endsWith('/encoder_model.onnx') && !p.endsWith('/decoder_model_merged.onnx')),
    fetched.join('\n'),
  );
  assert.deepEqual(await visibleModels(), ['whisper-mini']);
});

test('a file whose announced hash is not the pinned one stops the pull before any byte is downloaded', async () => {
  // The server now holds a different decoder and says so honestly in X-Linked-ETag.
  hub.faults.replace?.set(DECODER, Buffer.from('another decoder'));
  const e = await rejectsWith(
    manager({}, testCatalog({ pinned: true })).pull('whisper-mini'),
    'CHECKSUM_MISMATCH',
    new RegExp(
      `${DECODER} on the server is not the pinned file: the server announces sha256 [0-9a-f]{64}, the catalog pins ${sha256Of(DECODER)}\\. Nothing was downloaded`,
    ),
  );
  assert.equal(e.details.file, DECODER);
  assert.ok(
    hub.log.every((r) => r.method === 'HEAD'),
    JSON.stringify(hub.log),
  );
  assert.deepEqual(await visibleModels(), []);
});

test('downloads are verified against the pinned hash, not only the headers the server sends', async () => {
  // A mirror that sends no hash at all and a body with one byte flipped: only the catalog's value can catch it.
  hub.faults.noHashHeaders?.add(DECODER);
  hub.faults.corrupt?.add(DECODER);
  await rejectsWith(
    manager({}, testCatalog({ pinned: true })).pull('whisper-mini'),
    'CHECKSUM_MISMATCH',
    new RegExp(`${DECODER} failed verification: expected sha256 ${sha256Of(DECODER)}, got [0-9a-f]{64}`),
  );
  assert.deepEqual(await visibleModels(), []);
  // The intact file from the same hash-less mirror passes, checked against the pinned value.
  hub.faults.corrupt?.clear();
  await manager({}, testCatalog({ pinned: true })).pull('whisper-mini');
  const meta = JSON.parse(await readFile(path.join(home.dir, 'models', 'whisper-mini', '.earshot-model.json'), 'utf8'));
  assert.equal(meta.verification[DECODER], 'sha256');
});

test('a stalled server times out (after retries) with TIMEOUT', async () => {
  hub.faults.stall?.set(DECODER, 1000);
  const started = Date.now();
  await rejectsWith(
    manager({ stallTimeoutMs: 300, retries: 1 }).pull('whisper-mini'),
    'TIMEOUT',
    /stalled after 2 attempts/,
  );
  assert.ok(Date.now() - started < 5000);
  assert.deepEqual(await visibleModels(), []);
});

test('not enough disk space fails before any byte is fetched', async () => {
  const e = await rejectsWith(
    manager({ freeSpace: async () => 10_000 }).pull('whisper-mini'),
    'DISK_FULL',
    /needs .* but only 10\.0 kB is free/,
  );
  assert.equal(e.details.freeBytes, 10_000);
  assert.ok(
    hub.log.every((r) => r.method === 'HEAD'),
    'only the HEAD checks ran',
  );
});

test('cancelling stops the download and reports cancelled; nothing installed', async () => {
  hub.faults.stall?.set(DECODER, 1000);
  const m = manager({ stallTimeoutMs: 10_000 });
  const states: string[] = [];
  const pending = m.pull('whisper-mini', { onProgress: (p) => states.push(p.state) });
  setTimeout(() => m.cancelPull('whisper-mini'), 300);
  await rejectsWith(pending, 'CANCELLED');
  assert.equal(states.at(-1), 'cancelled');
  assert.deepEqual(await visibleModels(), []);
});

test('HTTP_PROXY is honoured, and NO_PROXY bypasses it', async () => {
  const http = await import('node:http');
  const proxied: string[] = [];
  // A minimal forward proxy: absolute-form requests are replayed to the origin.
  const proxy = http.createServer((req, res) => {
    proxied.push(req.url ?? '');
    const upstream = http.request(req.url ?? '', { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  // undici tunnels through CONNECT by default, as it must for https; forward those too.
  const net = await import('node:net');
  const tunnels = new Set<import('node:stream').Duplex>();
  proxy.on('connect', (req, client, head) => {
    proxied.push(`CONNECT ${req.url}`);
    tunnels.add(client);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY, no_proxy: process.env.no_proxy };
  try {
    process.env.HTTP_PROXY = `http://127.0.0.1:${(proxy.address() as import('node:net').AddressInfo).port}`;
    process.env.NO_PROXY = '';
    process.env.no_proxy = '';
    await manager().pull('whisper-mini');
    assert.ok(proxied.length > 0, 'requests went through the proxy');
    assert.ok(
      proxied.every((u) => u === `CONNECT ${new URL(hub.url).host}` || u.startsWith(hub.url)),
      proxied.join('\n'),
    );

    proxied.length = 0;
    await manager().remove('whisper-mini');
    process.env.NO_PROXY = '127.0.0.1';
    process.env.no_proxy = '127.0.0.1';
    await manager().pull('whisper-mini');
    assert.deepEqual(proxied, []);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    proxy.closeAllConnections();
    for (const t of tunnels) t.destroy();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
  }
});

test('a partial file of an older version is discarded when the server now has a different file', async () => {
  const m = manager();
  const partial = m.partialDir('whisper-mini');
  const { mkdir, writeFile } = await import('node:fs/promises');
  await mkdir(path.join(partial, 'onnx'), { recursive: true });
  // 1000 bytes "from before" whose recorded hash differs from what the server advertises now.
  await writeFile(path.join(partial, `${DECODER}.part`), Buffer.alloc(1000, 7));
  const url = `${hub.url}/${REPO}/resolve/${REVISION}/${DECODER}`;
  await writeFile(
    path.join(partial, `${DECODER}.part.json`),
    JSON.stringify({ url, expect: { kind: 'sha256', hex: '0'.repeat(64) }, size: 999_999 }),
  );
  await m.pull('whisper-mini');
  assert.deepEqual(
    hub.log.filter((r) => r.method === 'GET' && r.path === `/cdn/${DECODER}`).map((r) => r.range),
    ['bytes=1000-', undefined],
  );
  const original = await readFile(path.join(FIXTURES, 'whisper-mini', DECODER));
  assert.deepEqual(await readFile(path.join(home.dir, 'models', 'whisper-mini', DECODER)), original);
});

test('a small file is checked against its git blob id (ETag)', async () => {
  hub.faults.corrupt?.add('tokenizer.json');
  await rejectsWith(
    manager().pull('whisper-mini'),
    'CHECKSUM_MISMATCH',
    /tokenizer\.json failed verification: expected git-blob/,
  );
  assert.deepEqual(await visibleModels(), []);
});

test('an entry of another family is pulled, verified and installed as files, and never taken for a speech model', async () => {
  const catalog = testCatalog();
  const weights = 'onnx/encoder_model.onnx';
  catalog.models.push({
    id: 'segmentation-test',
    name: 'Speaker segmentation (test)',
    family: 'speaker-segmentation',
    licence: 'MIT',
    languages: ['en'],
    accuracy: [],
    source: { repo: REPO, revision: REVISION },
    defaultVariant: 'fp32',
    sharedFiles: [],
    variants: { fp32: { files: [{ path: weights, sha256: sha256Of(weights) }] } },
  });
  const m = manager({}, catalog);
  const info = await m.pull('segmentation-test');
  assert.equal(info.installed, true);
  assert.equal(info.family, 'speaker-segmentation');
  const dir = path.join(home.dir, 'models', 'segmentation-test');
  assert.deepEqual(
    await readFile(path.join(dir, weights)),
    await readFile(path.join(FIXTURES, 'whisper-mini', weights)),
  );
  const meta = JSON.parse(await readFile(path.join(dir, '.earshot-model.json'), 'utf8'));
  assert.deepEqual(
    [meta.family, meta.variants, meta.verification[weights]],
    ['speaker-segmentation', ['fp32'], 'sha256'],
  );
  assert.equal(
    (await m.views()).some((v) => v.id === 'segmentation-test'),
    false,
    'not offered as a speech model',
  );
  await rejectsWith(
    m.resolveModel('segmentation-test'),
    'INVALID_PARAMETER',
    /a speaker-segmentation model, not a speech model/,
  );
});
