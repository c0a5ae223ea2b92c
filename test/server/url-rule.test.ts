/**
 * One URL rule (core/url-rule.ts), one answer: a table of URLs through every face that takes one — the rule itself,
 * the renderer's inline check (contract/rules.ts), the desktop's pasted link (jobs/sources.ts), the decoder's URL
 * source (audio/fetch-url.ts), and the API server's `url` field over real fastify (inject) with the bundled model.
 * Each URL must give the same code everywhere (ok = accepted by the rule).
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { urlProblem } from '../../electron/contract/rules.ts';
import { decodeToPcm16k } from '../../electron/core/audio/index.ts';
import { isEarshotError } from '../../electron/core/errors.ts';
import { urlSource } from '../../electron/core/jobs/sources.ts';
import { LicenseService } from '../../electron/core/license/index.ts';
import { buildApp } from '../../electron/core/server/app.ts';
import { DEFAULT_SERVER_CONFIG, type ServerConfig } from '../../electron/core/server/config.ts';
import { serverServices } from '../../electron/core/server/deps.ts';
import { parseHttpUrl } from '../../electron/core/server/url-policy.ts';
import { parseUserUrl } from '../../electron/core/url-rule.ts';
import { issueKey, tempDir, testModel } from './harness.ts';

const URLS: [string, 'ok' | 'INVALID_PARAMETER' | 'URL_NOT_ALLOWED'][] = [
  ['not a url', 'INVALID_PARAMETER'],
  ['example.com/talk.mp3', 'INVALID_PARAMETER'],
  ['https://', 'INVALID_PARAMETER'],
  ['ftp://example.com/talk.mp3', 'URL_NOT_ALLOWED'],
  ['file:///etc/passwd', 'URL_NOT_ALLOWED'],
  ['s3://bucket/talk.wav', 'URL_NOT_ALLOWED'],
  ['javascript:alert(1)', 'URL_NOT_ALLOWED'],
  ['data:audio/wav;base64,UklGRg==', 'URL_NOT_ALLOWED'],
  ['http://user:secret@example.com/talk.mp3', 'URL_NOT_ALLOWED'],
  ['https://token@example.com/talk.mp3', 'URL_NOT_ALLOWED'],
  ['https://example.com/talk.mp3', 'ok'],
  ['  http://example.com/a%20b.wav  ', 'ok'],
];

function codeOf(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (e) {
    assert.ok(isEarshotError(e), String(e));
    return e.code;
  }
}

test('the rule, the renderer, the desktop link and the API field parser agree on every URL', () => {
  for (const [url, expected] of URLS) {
    assert.equal(
      codeOf(() => parseUserUrl(url)),
      expected,
      `rule: ${url}`,
    );
    assert.equal(urlProblem(url)?.code ?? 'ok', expected, `renderer: ${url}`);
    assert.equal(
      codeOf(() => urlSource(url)),
      expected,
      `desktop: ${url}`,
    );
    assert.equal(
      codeOf(() => parseHttpUrl(url, 'url')),
      expected,
      `server: ${url}`,
    );
  }
  // The message is the same text too (the server's names its field first).
  const message = urlProblem('ftp://x/a')?.message;
  assert.ok(message);
  assert.throws(() => parseHttpUrl('ftp://x/a', 'url'), { message: `url: ${message}` });
  // A webhook may carry basic-auth credentials; its scheme is still checked.
  assert.equal(
    codeOf(() => parseHttpUrl('https://u:p@hooks.example.com/in', 'callback_url')),
    'ok',
  );
  assert.equal(
    codeOf(() => parseHttpUrl('ftp://hooks.example.com/in', 'callback_url')),
    'URL_NOT_ALLOWED',
  );
});

test('the decoder refuses what the rule refuses, with the same code, before any network', async () => {
  for (const [url, expected] of URLS) {
    if (expected === 'ok' || !/^[a-z][a-z0-9+.-]*:\/\//i.test(url.trim())) continue; // decoder takes these as paths
    const e = await decodeToPcm16k(url).then(
      () => assert.fail(url),
      (err: unknown) => err,
    );
    assert.ok(isEarshotError(e), String(e));
    assert.equal(e.code, expected, `decoder: ${url}`);
  }
});

test('the API answers each refused URL with the rule code, over real HTTP handling', async (t) => {
  const model = testModel();
  if (!model) return t.skip('no bundled model');
  const home = tempDir('url-rule');
  after(() => rmSync(home, { recursive: true, force: true }));
  const key = await issueKey();
  const config: ServerConfig = {
    ...DEFAULT_SERVER_CONFIG,
    model: model.dir,
    licenseKeys: [key],
    quiet: true,
  };
  const license = new LicenseService({ dataDir: home });
  const services = serverServices({ license, licenseKeys: [key], maxAudioSeconds: config.maxAudioSeconds });
  const built = await buildApp(config, services, { tmpDir: path.join(home, 'tmp'), version: 'test' });
  after(() => built.app.close());
  const post = (url: string) =>
    built.app.inject({
      method: 'POST',
      url: '/v1/listen',
      headers: { authorization: `Token ${key}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ url }),
    });
  await built.context.transcriber.loadModel();
  after(async () => {
    const state = built.context.transcriber.state;
    if (state.status === 'ready') await state.loaded.model.dispose();
  });
  for (const [url, expected] of URLS) {
    if (expected === 'ok') continue;
    const res = await post(url);
    const body = JSON.parse(res.body);
    assert.equal(body.code, expected, `API: ${url} → ${res.body}`);
    assert.equal(res.statusCode, 400, url);
    assert.equal(body.parameter, 'url', url);
  }
  // Private targets are the network policy's, refused on the server by default with the same code family.
  const local = JSON.parse((await post('http://127.0.0.1:9/a.wav')).body);
  assert.equal(local.code, 'URL_NOT_ALLOWED');
});
