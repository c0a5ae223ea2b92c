/**
 * The desktop's built-in API server runs on the desktop's own model: the model the desktop is configured with (its
 * default, here an imported copy of the demo pack under another id) answers the API, and the desktop's job worker
 * holds it — loaded once for the desktop's job and the API request, no second copy in threads of the server's own.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { ServerStatus } from '../../electron/contract/api.ts';
import type { TranscriptResult } from '../../electron/core/asr/types.ts';
import type { LoadedModelInfo, ModelLoadRequest, SamplesRequest } from '../../electron/core/jobs/samples-job.ts';
import type { JobRecord } from '../../electron/core/jobs/types.ts';
import { WorkerPipeline } from '../../electron/core/jobs/worker-pipeline.ts';
import { FileSecretStore } from '../../electron/core/license/index.ts';
import { bundledModelsDir } from '../../electron/core/paths.ts';
import { createDesktop } from '../../electron/core/services.ts';
import { devKey, freePort, jobSettled, speechWav, tempHome, wordRecall } from './fixtures.ts';

/** The real worker pipeline, counting what the API server asks of it. */
class CountingPipeline extends WorkerPipeline {
  loadRequests: ModelLoadRequest[] = [];
  sampleRuns = 0;
  override loadModel(request: ModelLoadRequest): Promise<LoadedModelInfo> {
    this.loadRequests.push(request);
    return super.loadModel(request);
  }
  override runSamples(request: SamplesRequest, signal: AbortSignal): Promise<TranscriptResult> {
    this.sampleRuns++;
    return super.runSamples(request, signal);
  }
}

test('the built-in API server answers with the desktop’s configured model, loaded once in the desktop’s worker', async () => {
  const home = await tempHome('earshot-apiserver-shared-');
  const pipeline = new CountingPipeline();
  const d = await createDesktop({
    home,
    secretStore: new FileSecretStore(path.join(home, 'license', 'key')),
    manageApiServer: true,
    pipeline,
  });
  try {
    const imported = await d.modelManager.import(path.join(bundledModelsDir(), 'demo-en'), { id: 'office-model' });
    await d.modelManager.setDefault(imported.id);
    const key = await devKey();
    await d.license.set(key);
    const sentence = 'please write your name at the top of the page';
    const wav = speechWav(path.join(home, 'speech.wav'), sentence);

    // The desktop's own job loads its model in its worker.
    const added = await d.dispatch('jobs:addFiles', [[wav]]);
    assert.ok(added.ok, JSON.stringify(added));
    const job = await jobSettled(d, (added.value as JobRecord[])[0].id);
    assert.equal(job.stage, 'done', JSON.stringify(job));

    const port = await freePort();
    await d.dispatch('settings:update', [{ server: { enabled: true, port } }]);
    const status = await d.dispatch('server:status', []);
    assert.ok(status.ok && (status.value as ServerStatus).running, JSON.stringify(status));
    const url = `http://127.0.0.1:${port}`;
    let health: { model?: { id: string; family: string } } = {};
    for (let i = 0; i < 600 && !health.model; i++) {
      const r = await fetch(`${url}/health?detailed=true`);
      health = (await r.json()) as typeof health;
      if (!health.model) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(health.model?.id, 'office-model');
    assert.equal(health.model?.family, 'ctc');

    const form = new FormData();
    form.append('audio', new Blob([await fs.readFile(wav)]), 'speech.wav');
    const r = await fetch(`${url}/v1/listen`, {
      method: 'POST',
      headers: { Authorization: `Token ${key}` },
      body: form,
    });
    const body = (await r.json()) as { text?: string };
    assert.equal(r.status, 200, JSON.stringify(body));
    assert.ok(wordRecall(sentence, body.text ?? '') >= 0.5, body.text);

    // The request ran on the desktop's worker, on the model its job had loaded: one load in all.
    assert.equal(pipeline.sampleRuns, 1);
    assert.equal(pipeline.loadRequests.length, 1);
    assert.equal(pipeline.loadRequests[0].modelDir, path.join(home, 'models', 'office-model'));
    const info = await pipeline.loadModel(pipeline.loadRequests[0]);
    assert.equal(info.loads, 1);
  } finally {
    await d.dispose();
    await fs.rm(home, { recursive: true, force: true });
  }
});
