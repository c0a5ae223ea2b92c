/** The desktop's built-in API server: off by default, started and stopped from settings, with a curl example. */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import type { ServerStatus } from '../../electron/contract/api.ts';
import { FileSecretStore } from '../../electron/core/license/index.ts';
import { createDesktop } from '../../electron/core/services.ts';
import { devKey, freePort, tempHome } from './fixtures.ts';

/** A desktop on `home` that manages its built-in API server from its settings, as the app does. */
function desktopWithServer(home: string) {
  return createDesktop({
    home,
    secretStore: new FileSecretStore(path.join(home, 'license', 'key')),
    manageApiServer: true,
  });
}

test('the API server follows the settings and needs the license key', async () => {
  const home = await tempHome('earshot-apiserver-');
  const d = await desktopWithServer(home);
  const status = async () => {
    const r = await d.dispatch('server:status', []);
    assert.ok(r.ok);
    return r.value as ServerStatus;
  };
  assert.deepEqual(await status(), { running: false });

  const port = await freePort();
  await d.dispatch('settings:update', [{ server: { enabled: true, port } }]);
  const noKey = await status();
  assert.equal(noKey.running, false);
  assert.equal(noKey.error?.code, 'INVALID_LICENSE');

  await d.license.set(await devKey());
  const up = await status();
  assert.equal(up.running, true, JSON.stringify(up));
  assert.equal(up.url, `http://127.0.0.1:${port}`);
  assert.match(up.curlExample ?? '', new RegExp(`curl -X POST "http://127.0.0.1:${port}/v1/listen"`));
  const health = await fetch(`${up.url}/health`);
  assert.ok(health.status === 200 || health.status === 503);
  const unauth = await fetch(`${up.url}/v1/listen`, { method: 'POST' });
  assert.equal(unauth.status, 401);

  // A port another program holds gives a clear reason instead of a crash.
  const blocker = net.createServer();
  const taken = await freePort();
  await new Promise<void>((r) => blocker.listen(taken, '127.0.0.1', r));
  await d.dispatch('settings:update', [{ server: { port: taken } }]);
  const busy = await status();
  assert.equal(busy.running, false);
  assert.match(busy.error?.message ?? '', new RegExp(`Port ${taken} is already in use`));
  await new Promise((r) => blocker.close(r));

  await d.dispatch('settings:update', [{ server: { enabled: false } }]);
  assert.deepEqual(await status(), { running: false });
  await d.dispose();
  await fs.rm(home, { recursive: true, force: true });
});

test('a removed or replaced license key stops working on the built-in API server at once', async () => {
  const home = await tempHome('earshot-apiserver-key-');
  const d = await desktopWithServer(home);
  try {
    const first = await devKey({ customer: 'First' });
    const second = await devKey({ customer: 'Second' });
    await d.license.set(first);
    const port = await freePort();
    await d.dispatch('settings:update', [{ server: { enabled: true, port } }]);
    const up = await d.dispatch('server:status', []);
    assert.ok(up.ok && (up.value as ServerStatus).running, JSON.stringify(up));
    const url = `http://127.0.0.1:${port}`;
    // An authenticated route that needs no model: a job id that does not exist answers 404 to a good key, 401 else.
    const asKey = async (key: string) =>
      (await fetch(`${url}/v1/jobs/nope`, { headers: { Authorization: `Token ${key}` } })).status;
    assert.notEqual(await asKey(first), 401);

    await d.license.set(second); // no settings change, no status poll
    assert.equal(await asKey(first), 401, 'the replaced key is refused');
    assert.notEqual(await asKey(second), 401, 'the new key is accepted');

    await d.license.remove();
    const after = await fetch(`${url}/v1/jobs/nope`, { headers: { Authorization: `Token ${second}` } }).then(
      (r) => r.status,
      () => 'closed',
    );
    assert.ok(after === 401 || after === 'closed', `a removed key is refused (got ${after})`);
  } finally {
    await d.dispose();
    await fs.rm(home, { recursive: true, force: true });
  }
});

test('closing the app while the API server is still starting leaves nothing listening', async () => {
  const home = await tempHome('earshot-apiserver-close-');
  const d = await desktopWithServer(home);
  await d.license.set(await devKey());
  const port = await freePort();
  // Not awaited: the app closes while the server start is in flight.
  const turnedOn = d.dispatch('settings:update', [{ server: { enabled: true, port } }]);
  await d.dispose();
  await turnedOn;
  const connects = await new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
  assert.equal(connects, false, `port ${port} still answers after the app closed`);
  await fs.rm(home, { recursive: true, force: true });
});
