/** `earshot license …` end to end, as a vendor and a user would run it (real processes, real files). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from './helpers.ts';

const repo = path.resolve(import.meta.dirname, '../..');

function earshot(args: string[], home: string, input?: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'electron/cli.ts', 'license', ...args], {
    cwd: repo,
    encoding: 'utf8',
    input,
    env: { ...process.env, EARSHOT_HOME: home },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('issue --dev makes a key the development build accepts and inspect explains', () => {
  const home = tempDir();
  const issued = earshot(
    ['issue', '--dev', '--customer', 'Acme Ltd', '--expires', '2099-12-31', '--rpm', '30', '--feature', 'diarize'],
    home,
  );
  assert.equal(issued.code, 0, issued.stderr);
  const key = issued.stdout.trim();
  assert.match(key, /^ESK1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$/);
  assert.ok(!issued.stderr.includes(key), 'the summary line does not repeat the key');

  const shown = earshot(['inspect', key], home);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /Customer: +Acme Ltd/);
  assert.match(shown.stdout, /Expires: +2099-12-31T23:59:59Z/);
  assert.match(shown.stdout, /Limits: +30 requests\/min, 10 concurrent, 100 audio hours\/day/);
  assert.match(shown.stdout, /Features: +diarize/);
  assert.match(shown.stdout, /development key/);
  assert.match(shown.stdout, /Verdict: +valid \(development build\)/);
  assert.ok(!shown.stdout.includes(key), 'inspect shows the key masked');

  const fromStdin = earshot(['inspect', '-', '--json'], home, `${key}\n`);
  assert.equal(fromStdin.code, 0);
  const json = JSON.parse(fromStdin.stdout);
  assert.equal(json.verdict.valid, true);
  assert.equal(json.claims.limits.requestsPerMinute, 30);

  const tampered = `${key.slice(0, 30)}${key[30] === 'A' ? 'B' : 'A'}${key.slice(31)}`;
  const bad = earshot(['inspect', tampered, '--json'], home);
  assert.equal(bad.code, 1);
  const verdict = JSON.parse(bad.stdout).verdict;
  assert.equal(verdict.code, 'INVALID_LICENSE');
  assert.equal(verdict.status, 401);
  assert.deepEqual(verdict.body, { error: 'Invalid license key', code: 'INVALID_LICENSE' });
  assert.ok(verdict.reason.length > 0);
});

test('keygen, issue with a vendor key (untrusted here), revoke and import-revocations', () => {
  const home = tempDir();
  const keysDir = path.join(tempDir(), 'keys');
  const gen = earshot(['keygen', '--out', keysDir], home);
  assert.equal(gen.code, 0, gen.stderr);
  const privateFile = readdirSync(keysDir).find((f) => f.endsWith('.private.pem'))!;
  assert.equal(statSync(path.join(keysDir, privateFile)).mode & 0o777, 0o600);
  assert.match(gen.stdout, /BEGIN PUBLIC KEY/);
  assert.doesNotMatch(gen.stdout, /PRIVATE KEY-----/);

  const issued = earshot(
    ['issue', '--signing-key', path.join(keysDir, privateFile), '--customer', 'V', '--expires', '2099-01-01'],
    home,
  );
  assert.equal(issued.code, 0, issued.stderr);
  const foreign = earshot(['inspect', issued.stdout.trim()], home);
  assert.equal(foreign.code, 1);
  assert.match(foreign.stdout, /not trusted by this development build/);
  assert.match(foreign.stdout, /INVALID_LICENSE — signed by an unknown key/);

  const dev = earshot(
    ['issue', '--dev', '--customer', 'R', '--expires', '2099-01-01', '--id', 'lic_cli_revoked'],
    home,
  );
  const key = dev.stdout.trim();
  const listFile = path.join(home, 'revoked.json');
  assert.equal(earshot(['revoke', 'lic_cli_revoked', '--dev', '--out', listFile], home).code, 0);
  assert.equal(earshot(['import-revocations', listFile], home).code, 0);
  const revoked = earshot(['inspect', key], home);
  assert.equal(revoked.code, 1);
  assert.match(revoked.stdout, /INVALID_LICENSE — license lic_cli_revoked has been revoked/);

  const foreignList = path.join(home, 'foreign.json');
  const signingKey = path.join(keysDir, privateFile);
  assert.equal(earshot(['revoke', 'lic_x', '--signing-key', signingKey, '--out', foreignList], home).code, 0);
  const refused = earshot(['import-revocations', foreignList], home);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /unknown key/);
});

test('bad arguments exit 2 with a clear message', () => {
  const home = tempDir();
  const noExpiry = earshot(['issue', '--dev', '--customer', 'X'], home);
  assert.equal(noExpiry.code, 2);
  assert.match(noExpiry.stderr, /--expires is required/);
  const badDate = earshot(['issue', '--dev', '--customer', 'X', '--expires', 'soon'], home);
  assert.equal(badDate.code, 2);
  assert.match(badDate.stderr, /ISO-8601/);
  const badRpm = earshot(['issue', '--dev', '--customer', 'X', '--expires', '2099-01-01', '--rpm', '0'], home);
  assert.equal(badRpm.code, 2);
  assert.match(badRpm.stderr, /--rpm must be a positive whole number/);
  const noSigner = earshot(['issue', '--customer', 'X', '--expires', '2099-01-01'], home);
  assert.equal(noSigner.code, 2);
});
