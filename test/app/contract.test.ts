/**
 * The contract stays one thing: the preload, main's ipcMain registration and the e2e binding all come from the same
 * channel list, every contract method has a channel, and every payload is validated before a service sees it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { Settings } from '../../electron/contract/api.ts';
import { buildEarshotApi } from '../../electron/contract/bridge.ts';
import { EVENT_SUBSCRIPTIONS, INVOKE_CHANNELS } from '../../electron/contract/channels.ts';
import { REQUEST_SCHEMAS } from '../../electron/contract/schemas.ts';
import { expandMediaPaths } from '../../electron/core/jobs/sources.ts';
import { FileSecretStore } from '../../electron/core/license/index.ts';
import { createDesktop } from '../../electron/core/services.ts';
import { tempHome } from './fixtures.ts';

test('the bridge exposes exactly one function per channel, plus event subscriptions, pathForFile and live audio', async () => {
  const calls: [string, unknown[]][] = [];
  const frames: unknown[][] = [];
  const api = buildEarshotApi({
    invoke: async (channel, args) => {
      calls.push([channel, args]);
      return { ok: true, value: null };
    },
    subscribe: () => () => {},
    pathForFile: () => '/x',
    liveFrames: {
      send: (id, pcm) => void frames.push(['send', id, pcm]),
      flush: (id) => void frames.push(['flush', id]),
      end: (id) => void frames.push(['end', id]),
    },
  }) as unknown as Record<string, Record<string, (...a: unknown[]) => unknown>>;
  for (const channel of INVOKE_CHANNELS) {
    const [service, method] = channel.split(':');
    assert.equal(typeof api[service]?.[method], 'function', channel);
    await api[service][method]('a', 1);
    assert.deepEqual(calls.at(-1), [channel, ['a', 1]]);
  }
  for (const e of EVENT_SUBSCRIPTIONS) assert.equal(typeof api[e.service][e.method], 'function');
  const exposed = Object.entries(api).flatMap(([s, m]) => Object.keys(m).map((k) => `${s}:${k}`));
  assert.equal(exposed.length, INVOKE_CHANNELS.length + EVENT_SUBSCRIPTIONS.length + 2);
  // Pausing and stopping put their marker on the port before they invoke (the port is not ordered with invoke).
  assert.deepEqual(
    frames.map((f) => f[0]),
    ['flush', 'end'],
  );
  // Audio frames go to the recording's port, never through invoke; stopping ends the port's frames first.
  const before = calls.length;
  const pcm = new ArrayBuffer(4);
  api.live.audio('rec', pcm);
  assert.equal(calls.length, before);
  assert.deepEqual(frames.slice(-2), [
    ['end', 'a'],
    ['send', 'rec', pcm],
  ]);
  assert.deepEqual(Object.keys(REQUEST_SCHEMAS).sort(), [...INVOKE_CHANNELS].sort());
});

test('the preload and main build on the shared list (no hand-written channel names)', () => {
  const preload = readFileSync('electron/preload/preload.ts', 'utf8');
  assert.match(preload, /buildEarshotApi\(/);
  assert.doesNotMatch(preload, /'(license|jobs|transcripts|models|settings|system):\w+'/);
  const ipc = readFileSync('electron/main/ipc.ts', 'utf8');
  assert.match(ipc, /for \(const channel of INVOKE_CHANNELS\)/);
});

test('every payload is validated: wrong shapes and unknown channels are refused with INVALID_PARAMETER', async () => {
  const home = await tempHome('earshot-contract-');
  const d = await createDesktop({ home, secretStore: new FileSecretStore(path.join(home, 'key')) });
  const bad: [string, unknown[]][] = [
    ['jobs:addFiles', ['/not/an/array']],
    ['jobs:addFiles', [[]]],
    ['jobs:addUrl', [42]],
    ['transcripts:export', ['id', 'pdf']],
    ['settings:update', [{ threads: -4 }]],
    ['settings:update', [{ server: { port: 0 } }]],
    ['settings:update', [{ evil: true }]],
    ['license:set', []],
    ['jobs:cancel', ['a', 'b']],
    ['fs:readFile', ['/etc/passwd']],
  ];
  for (const [channel, args] of bad) {
    const r = await d.dispatch(channel, args);
    assert.equal(r.ok, false, channel);
    assert.equal(!r.ok && r.error.code, 'INVALID_PARAMETER', `${channel} ${JSON.stringify(args)}`);
  }
  const url = await d.dispatch('jobs:addUrl', ['file:///etc/passwd']);
  assert.equal(!url.ok && url.error.code, 'URL_NOT_ALLOWED');
  const ok = await d.dispatch('settings:update', [{ server: { port: 7300 } }]);
  const saved = ok.ok ? (ok.value as Settings) : undefined;
  assert.deepEqual(saved?.server, { enabled: false, port: 7300, host: '127.0.0.1' });
  await d.dispose();
  await fs.rm(home, { recursive: true, force: true });
});

test('what does not exist answers NOT_FOUND through the contract: a job, a transcript, a dropped file', async () => {
  const home = await tempHome('earshot-contract-');
  const d = await createDesktop({ home, secretStore: new FileSecretStore(path.join(home, 'key')) });
  const missing: [string, unknown[]][] = [
    ['jobs:retry', ['no-such-job']],
    ['transcripts:get', ['no-such-transcript']],
    ['transcripts:restore', ['no-such-transcript']],
    ['transcripts:deleteForever', ['no-such-transcript']],
  ];
  for (const [channel, args] of missing) {
    const r = await d.dispatch(channel, args);
    assert.equal(!r.ok && r.error.code, 'NOT_FOUND', `${channel}: ${JSON.stringify(r)}`);
  }
  // jobs:addFiles refuses without a license first; with one, its walk (jobs/sources.ts) answers this.
  await assert.rejects(expandMediaPaths([path.join(home, 'gone.wav')]), { code: 'NOT_FOUND' });
  await d.dispose();
  await fs.rm(home, { recursive: true, force: true });
});
