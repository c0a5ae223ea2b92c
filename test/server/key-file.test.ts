/**
 * LICENSE_KEY_FILE on a real `earshot serve` (single-process mode): keys come from a file, as a mounted Kubernetes or
 * Docker secret gives them, and a rotation written to the file takes effect while the server runs.
 */
import assert from 'node:assert/strict';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { curl, eventually, issueKey, type Serve, startServe, tempDir, testModel } from './harness.ts';

const model = testModel();

describe('LICENSE_KEY_FILE', { skip: model ? false : 'no speech model yet' }, () => {
  const dir = tempDir('key-file');
  const file = path.join(dir, 'keys');
  let serve: Serve;
  let oldKey: string;
  let newKey: string;

  /** Replaces the file the way secret stores do: a new file renamed over the old one. */
  const writeKeys = (text: string) => {
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  };
  const status = async (key: string) =>
    (await curl([`${serve.url}/v1/jobs/job_none`, '-H', `Authorization: Token ${key}`])).status;

  before(async () => {
    oldKey = await issueKey({ customer: 'key-file-old' });
    newKey = await issueKey({ customer: 'key-file-new' });
    writeKeys(`${oldKey}\n`);
    serve = await startServe({
      keys: [],
      env: { LICENSE_KEY: '', LICENSE_KEY_FILE: file },
      args: ['--model', model!.dir, '--threads', '1'],
    });
  });

  after(async () => {
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('keys are read from the file, and a rotation written to it applies without a restart', async () => {
    assert.equal(await status(oldKey), 404, 'the file key is accepted');
    assert.equal(await status(newKey), 401, 'a key not in the file is not');
    writeKeys(`${newKey}\n`);
    await eventually(async () => (await status(newKey)) === 404, 15_000, 'the new key to be accepted');
    assert.equal(await status(oldKey), 401, 'the rotated-out key is refused');
    assert.match(serve.stderr(), /license keys re-read from LICENSE_KEY_FILE \(1 key\)/);
  });

  test('a file emptied by a half-done rotation keeps the keys in force', async () => {
    writeKeys('');
    await eventually(() => /is empty; keeping the keys in force/.test(serve.stderr()), 15_000, 'the warning');
    assert.equal(await status(newKey), 404);
  });
});
