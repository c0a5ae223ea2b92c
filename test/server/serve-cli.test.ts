/**
 * `earshot serve` start-up: it refuses to start (clear message, non-zero exit) unless LICENSE_KEY holds a valid
 * license; it accepts several keys for rotation; and while no model is ready, health says 503 and transcription
 * requests get 503 SERVICE_UNAVAILABLE with Retry-After.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { curl, issueKey, REPO, startServe, tempDir } from './harness.ts';

const home = tempDir('serve-cli');
after(() => rmSync(home, { recursive: true, force: true }));

function serveOnce(licenseKey: string | undefined, args: string[] = []) {
  const env: NodeJS.ProcessEnv = { ...process.env, EARSHOT_HOME: home };
  if (licenseKey === undefined) delete env.LICENSE_KEY;
  else env.LICENSE_KEY = licenseKey;
  return spawnSync(process.execPath, ['--import', 'tsx', 'electron/cli.ts', 'serve', '--port', '0', ...args], {
    cwd: REPO,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

test('serve refuses to start without LICENSE_KEY', () => {
  const r = serveOnce(undefined);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /cannot start: No license key configured: set LICENSE_KEY/);
});

test('serve refuses to start when no configured key is a valid license, naming each redacted', async () => {
  const expired = await issueKey({ expiresInDays: -1 });
  const r = serveOnce(`not-a-key, ${expired}`);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /None of the configured license keys is valid/);
  // The exact reasons `earshot license inspect` gives, not just the API's generic words.
  assert.match(r.stderr, /expired on \d{4}-\d\d-\d\dT[\d:]+Z \(LICENSE_EXPIRED\)/);
  assert.match(r.stderr, /…: (?!Invalid license key)[^;]+ \(INVALID_LICENSE\)/);
  assert.ok(!r.stderr.includes(expired), 'the key itself must not be printed');
});

test('serve rejects bad flags with usage and exit code 2', () => {
  const r = serveOnce('x', ['--tls-cert', 'only-cert.pem']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /HTTPS needs both --tls-cert and --tls-key/);
  const help = serveOnce('x', ['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--allow-private-urls/);
});

test('with one valid key among several it starts; without a model it reports 503', async () => {
  const valid = await issueKey();
  const expired = await issueKey({ expiresInDays: -2 });
  const serve = await startServe({
    keys: ['stale-key', expired, valid],
    args: ['--model', '/nonexistent/secret-model-dir'],
  });
  try {
    // The keys that will be refused are named (redacted) with their reason when the server starts.
    assert.match(serve.stderr(), /warning: license key …: [^\n]+\(INVALID_LICENSE\)/);
    assert.match(serve.stderr(), /warning: license key ESK1\.[^ ]+…[^ ]+: expired on [^\n]+\(LICENSE_EXPIRED\)/);
    assert.ok(!serve.stderr().includes(expired));
    const health = await curl([`${serve.url}/health?detailed=true`]);
    assert.equal(health.status, 503);
    const body = JSON.parse(health.body);
    assert.equal(body.status, 'unhealthy');
    assert.match(body.reason, /model failed to load/i);
    // Unauthenticated: it must not tell where the server keeps its files.
    assert.ok(!health.body.includes('secret-model-dir'), health.body);
    assert.equal(health.headers['retry-after'], '5');

    const listen = await curl([
      '-X',
      'POST',
      `${serve.url}/v1/listen`,
      '-H',
      `Authorization: Token ${valid}`,
      '-H',
      'Content-Type: application/json',
      '-d',
      '{"url":"https://example.com/audio.wav"}',
    ]);
    assert.equal(listen.status, 503);
    const err = JSON.parse(listen.body);
    assert.equal(err.code, 'SERVICE_UNAVAILABLE');
    assert.equal(typeof err.retry_after, 'number');
    assert.equal(listen.headers['retry-after'], String(err.retry_after));
  } finally {
    assert.equal(await serve.stop(), 0, 'SIGTERM ends serve cleanly');
  }
});
