/**
 * The server's model threads (job-worker threads holding the model): a run happens in another thread (the samples'
 * buffer is handed over to it), gives the text the model gives, can be abandoned without losing the thread, and a
 * model that cannot load is reported.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeToPcm16k } from '../../electron/core/audio/index.ts';
import { EarshotError } from '../../electron/core/errors.ts';
import { ModelThreads } from '../../electron/core/server/model-threads.ts';
import { synthesize, tempDir, testModel } from './harness.ts';

const model = testModel();

describe('model threads', { skip: model?.recognisesSpeech ? false : 'needs the bundled English model' }, () => {
  const dir = tempDir('model-threads');
  let threads: ModelThreads;
  let speech: Float32Array;

  before(async () => {
    threads = await ModelThreads.start({ modelDir: model!.dir, device: 'cpu', threads: 1 }, 2);
    const decoded = await decodeToPcm16k(synthesize(dir, 'hello', 'hello world, this is a test'));
    speech = decoded.samples.slice();
  });

  after(async () => {
    await threads?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the model runs in a thread of its own: the samples are handed over, the text comes back', async () => {
    assert.equal(threads.threads, 2);
    assert.ok(threads.languages.includes('en'));
    const samples = speech.slice();
    const result = await threads.run(samples, { language: 'en', wordTimestamps: true }, new AbortController().signal);
    assert.equal(samples.buffer.byteLength, 0, 'the buffer was transferred to the model thread');
    assert.match(result.text, /hello|world|test/i);
    assert.ok(result.segments.flatMap((s) => s.words ?? []).length > 0, 'words on request');
    // A view into a larger buffer is copied, not transferred: the caller's buffer stays usable.
    const padded = new Float32Array(speech.length + 16000);
    padded.set(speech);
    const view = padded.subarray(0, speech.length);
    const again = await threads.run(view, { language: 'en', wordTimestamps: false }, new AbortController().signal);
    assert.equal(padded.length, speech.length + 16000);
    assert.equal(again.text, result.text, 'the same text from either thread');
  });

  test('an abandoned run answers at once with its reason, and the threads keep working', async () => {
    const long = new Float32Array(speech.length * 20);
    for (let i = 0; i < 20; i++) long.set(speech, i * speech.length);
    const controller = new AbortController();
    const running = threads.run(long, { language: 'en', wordTimestamps: false }, controller.signal);
    controller.abort(new EarshotError('TIMEOUT', 'budget spent'));
    await assert.rejects(running, (e: unknown) => e instanceof EarshotError && e.code === 'TIMEOUT');
    // More runs than threads: each waits for a free thread, none is lost to the abandoned run.
    const texts = await Promise.all(
      [1, 2, 3].map(() =>
        threads.run(speech.slice(), { language: 'en', wordTimestamps: false }, new AbortController().signal),
      ),
    );
    for (const r of texts) assert.match(r.text, /hello|world|test/i);
  });

  test('a model folder that cannot be loaded is reported, and no thread is left behind', async () => {
    await assert.rejects(
      ModelThreads.start({ modelDir: path.join(dir, 'missing'), device: 'cpu', threads: 1 }, 2),
      (e: unknown) => e instanceof EarshotError,
    );
  });
});
