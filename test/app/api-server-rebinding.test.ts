/**
 * DNS rebinding against the desktop's built-in API server: a real Chromium told that evil.example is 127.0.0.1 (the
 * state a rebinding attack reaches) must not be able to read the server, while curl and scripts addressing the
 * computer keep working.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import type { ServerStatus } from '../../electron/contract/api.ts';
import { FileSecretStore } from '../../electron/core/license/index.ts';
import { createDesktop, type Desktop } from '../../electron/core/services.ts';
import { hostAllowed } from '../../electron/core/server/host-guard.ts';
import { devKey, tempHome } from './fixtures.ts';

const CHROMIUM = process.env.EARSHOT_CHROMIUM ?? '/usr/bin/chromium';
let home: string;
let desktop: Desktop;
let port: number;

before(async () => {
  home = await tempHome('earshot-rebind-');
  desktop = await createDesktop({
    home,
    secretStore: new FileSecretStore(path.join(home, 'license', 'key')),
    manageApiServer: true,
  });
  await desktop.license.set(await devKey());
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  await desktop.dispatch('settings:update', [{ server: { enabled: true, port } }]);
  const status = (await desktop.dispatch('server:status', [])) as { ok: true; value: ServerStatus };
  assert.equal(status.value.running, true, JSON.stringify(status));
});

after(async () => {
  await desktop.dispose();
  await fs.rm(home, { recursive: true, force: true });
});

/** curl in a child process (the server answers from this process, so it must not be blocked). */
async function curl(args: string[]): Promise<{ status: number; body: string }> {
  const { stdout: out } = await promisify(execFile)('curl', ['-s', '-w', '\n%{http_code}', ...args], {
    encoding: 'utf8',
  });
  const i = out.lastIndexOf('\n');
  return { status: Number(out.slice(i + 1)), body: out.slice(0, i) };
}

test('a page on a rebound name cannot read /health?detailed=true', async () => {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--host-resolver-rules=MAP evil.example 127.0.0.1'],
  });
  try {
    const page = await browser.newPage();
    const res = await page.goto(`http://evil.example:${port}/`);
    assert.ok(res);
    const read = await page.evaluate(async () => {
      const r = await fetch('/health?detailed=true');
      return { status: r.status, body: await r.text() };
    });
    assert.equal(read.status, 400, read.body);
    assert.match(read.body, /host_not_allowed/);
    assert.doesNotMatch(read.body, /uptime|version|components/);
  } finally {
    await browser.close();
  }
});

test("curl by IP address, localhost or this computer's name is served; a foreign Host or Origin is not", async () => {
  assert.notEqual((await curl([`http://127.0.0.1:${port}/health?detailed=true`])).status, 400);
  assert.notEqual((await curl([`http://localhost:${port}/health`])).status, 400);
  assert.notEqual(
    (await curl(['-H', `Host: ${os.hostname()}:${port}`, `http://127.0.0.1:${port}/health`])).status,
    400,
  );
  const foreignHost = await curl(['-H', `Host: evil.example:${port}`, `http://127.0.0.1:${port}/health?detailed=true`]);
  assert.equal(foreignHost.status, 400);
  assert.match(foreignHost.body, /host_not_allowed/);
  const foreignOrigin = await curl(['-H', 'Origin: https://evil.example', `http://127.0.0.1:${port}/health`]);
  assert.equal(foreignOrigin.status, 400);
  const nullOrigin = await curl(['-H', 'Origin: null', `http://127.0.0.1:${port}/health`]);
  assert.equal(nullOrigin.status, 400);
  assert.notEqual(
    (await curl(['-H', `Origin: http://localhost:${port}`, `http://127.0.0.1:${port}/health`])).status,
    400,
  );
});

test('the rule: IP literals (v4, v6), localhost and own names pass; other names, bad hosts and null origins do not', () => {
  for (const host of [
    '127.0.0.1:7100',
    '[::1]:7100',
    '192.168.1.20',
    'LOCALHOST:7100',
    `${os.hostname()}`,
    'localhost.',
  ]) {
    assert.equal(hostAllowed(host, undefined), true, host);
  }
  for (const host of [undefined, '', 'evil.example', '127.0.0.1.evil.example', 'localhost.evil.example', 'a b']) {
    assert.equal(hostAllowed(host, undefined), false, String(host));
  }
  assert.equal(hostAllowed('127.0.0.1', 'http://[::1]:7100'), true);
  assert.equal(hostAllowed('127.0.0.1', 'http://evil.example'), false);
  assert.equal(hostAllowed('127.0.0.1', 'null'), false);
});
