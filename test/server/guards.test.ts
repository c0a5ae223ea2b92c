/**
 * Guards that a loopback-only test machine cannot reach through a socket: /metrics seen from another address (the
 * real fastify app, requests injected with a remote address), private addresses in every IPv6 disguise, and webhook
 * connections that resolve their host once, in the connection itself, so that DNS cannot rebind between a check
 * and the connect.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import { isPrivateAddress } from '../../electron/core/audio/address-policy.ts';
import { LicenseService } from '../../electron/core/license/index.ts';
import { buildApp } from '../../electron/core/server/app.ts';
import { DEFAULT_SERVER_CONFIG, type ServerConfig } from '../../electron/core/server/config.ts';
import { serverServices } from '../../electron/core/server/deps.ts';
import { JobStore } from '../../electron/core/server/jobs.ts';
import { ServerMetrics } from '../../electron/core/server/metrics.ts';
import { eventually, issueKey, tempDir } from './harness.ts';

const home = tempDir('guards');
after(() => rmSync(home, { recursive: true, force: true }));

async function app(overrides: Partial<ServerConfig> = {}) {
  const key = await issueKey();
  const config: ServerConfig = { ...DEFAULT_SERVER_CONFIG, licenseKeys: [key], quiet: true, ...overrides };
  const license = new LicenseService({ dataDir: home });
  const services = serverServices({ license, licenseKeys: [key], maxAudioSeconds: config.maxAudioSeconds });
  const built = await buildApp(config, services, { tmpDir: path.join(home, 'tmp'), version: 'test' });
  after(() => built.app.close());
  /** GET /metrics as seen from `remoteAddress`. */
  const metrics = (remoteAddress: string, authorization?: string) =>
    built.app.inject({
      method: 'GET',
      url: '/metrics',
      remoteAddress,
      headers: authorization ? { authorization } : {},
    });
  return { metrics, key };
}

test('GET /metrics (it lists every license id) answers only loopback clients with a key, unless a metrics token is set', async () => {
  const open = await app();
  const get = open.metrics;
  const local = await get('127.0.0.1', `Token ${open.key}`);
  assert.equal(local.statusCode, 200);
  assert.match(local.body, /earshot_quota_audio_seconds_limit\{license="/);
  const remote = await get('203.0.113.9', `Token ${open.key}`);
  assert.equal(remote.statusCode, 404, 'a key holder elsewhere does not even learn it exists');
  assert.equal(JSON.parse(remote.body).code, 'NOT_FOUND');
  assert.equal((await get('::ffff:127.0.0.1', `Token ${open.key}`)).statusCode, 200);
  assert.equal((await get('127.0.0.1')).statusCode, 401, 'loopback still needs a key');

  const token = 'metrics-secret-0123456789';
  const scraped = await app({ metricsToken: token });
  const scrape = scraped.metrics;
  assert.equal((await scrape('203.0.113.9', `Bearer ${token}`)).statusCode, 200);
  const keyOnly = await scrape('203.0.113.9', `Token ${scraped.key}`);
  assert.equal(keyOnly.statusCode, 401, 'with a token configured, a license key is not enough');
  assert.equal(JSON.parse(keyOnly.body).code, 'INVALID_LICENSE');
  assert.equal((await scrape('127.0.0.1', `Token ${scraped.key}`)).statusCode, 401);
});

test('IPv6 forms that embed an IPv4 address are private: IPv4-compatible, 6to4, Teredo, NAT64', () => {
  for (const address of [
    '::127.0.0.1',
    '::7f00:1',
    '::a00:1', // ::10.0.0.1
    '2002:7f00:1::1', // 6to4 of 127.0.0.1
    '2002:c0a8:101::', // 6to4 of 192.168.1.1
    '2001:0:4136:e378:8000:63bf:3fff:fdd2', // Teredo
    '64:ff9b::7f00:1',
    '64:ff9b:1::a00:1',
    '::1',
    '::',
  ]) {
    assert.equal(isPrivateAddress(address), true, address);
  }
  for (const address of ['2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '8.8.8.8', '::ffff:8.8.8.8']) {
    assert.equal(isPrivateAddress(address), false, address);
  }
});

test('a webhook host is resolved once, inside the connection, and a private answer is refused there', async () => {
  let hits = 0;
  const receiver = http.createServer((_req, res) => {
    hits++;
    res.end('ok');
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  after(() => receiver.close());
  const { port } = receiver.address() as AddressInfo;
  const lookups: string[] = [];
  const logs: string[] = [];
  const jobs = new JobStore(
    {
      callbackAttempts: 2,
      callbackBackoffMs: 10,
      retentionSeconds: 60,
      allowPrivateUrls: false,
      log: (_fields, message) => logs.push(message),
      // What a rebinding DNS server answers at connect time, whatever it said to an earlier check.
      resolve: (hostname, _options, callback) => {
        lookups.push(hostname);
        callback(null, [{ address: '127.0.0.1', family: 4 }]);
      },
    },
    new ServerMetrics(),
  );
  const job = jobs.create(`http://hooks.example.test:${port}/hook`, 'key');
  jobs.start(job, async () => ({ text: 'hello' }));
  await eventually(() => logs.includes('webhook failed, giving up'), 10_000, 'the delivery to give up');
  await jobs.drain();
  assert.equal(hits, 0, 'the private address was never connected to');
  assert.deepEqual(lookups, ['hooks.example.test', 'hooks.example.test'], 'one lookup per attempt, by the connection');
  assert.match(job.callback.last_error ?? '', /private or local address/);
});
