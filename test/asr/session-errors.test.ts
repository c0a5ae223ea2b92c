/**
 * Session creation fails with a typed error whose code says whose problem it is, and whose attempts carry each
 * provider's reason: callers (Whisper's loader, folder validation, the GPU probe) switch on the code instead of
 * parsing the message.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createSession, SessionCreateError } from '../../electron/core/onnx/device.ts';
import { isEarshotError } from '../../electron/core/errors.ts';
import { probeGpus } from '../../electron/core/desktop/gpu-probe.ts';
import { validateModelFolder } from '../../electron/core/models/validate.ts';

const garbage = new Uint8Array(Buffer.from('this is not an ONNX graph'));

test('a file no provider can open on CPU: MODEL_INVALID, with the CPU reason', async () => {
  const e = await createSession(garbage, { device: 'cpu', threads: 1 }).then(
    () => assert.fail('garbage loaded'),
    (err: unknown) => err,
  );
  assert.ok(e instanceof SessionCreateError);
  assert.ok(isEarshotError(e, 'MODEL_INVALID'));
  assert.deepEqual(
    e.attempts.map((a) => a.provider),
    ['cpu'],
  );
  assert.ok(e.reasonFor('cpu').length > 0);
  assert.ok(!e.reasonFor('cpu').startsWith('No execution provider'));
});

test('only GPUs asked for and none opens: DEVICE_UNAVAILABLE with the request in the details', async () => {
  const e = await createSession(garbage, { device: 'gpu', threads: 1 }).then(
    () => assert.fail('garbage loaded'),
    (err: unknown) => err,
  );
  assert.ok(e instanceof SessionCreateError);
  assert.equal(e.code, 'DEVICE_UNAVAILABLE');
  assert.equal(e.details.requested, 'gpu');
  assert.ok(e.attempts.length >= 1 && e.attempts.every((a) => a.provider !== 'cpu'));
});

test('folder validation reports onnxruntime’s own reason for a broken graph, not the wrapper sentence', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-ctc-broken-'));
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ family: 'ctc', name: 'broken', languages: ['en'] }));
  writeFileSync(path.join(dir, 'model.onnx'), garbage);
  const r = await validateModelFolder(dir);
  assert.equal(r.ok, false);
  const problem = r.problems.find((p) => p.startsWith('model.onnx: onnxruntime cannot load it ('));
  assert.ok(problem, r.problems.join('; '));
  assert.ok(!problem.includes('No execution provider') && !problem.includes('cpu:'), problem);
});

test('the GPU probe gives each provider its own reason', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-probe-'));
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ family: 'ctc', name: 'broken', languages: ['en'] }));
  writeFileSync(path.join(dir, 'model.onnx'), garbage);
  for (const p of await probeGpus(dir)) {
    assert.equal(p.available, false);
    assert.ok(p.reason && !p.reason.startsWith('No execution provider'), p.reason);
  }
});
