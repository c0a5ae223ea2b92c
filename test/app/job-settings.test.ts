/**
 * One job-settings schema (core/jobs/job-settings.ts): what the contract accepts for a new job is exactly what the
 * queue file reader keeps after a restart, value by value (a job the UI could add is never dropped as damaged, and
 * a record the UI could not have made is not run). Unknown fields are the one difference, on purpose: a request
 * with one is refused, a queue file written by a newer version keeps its job.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { REQUEST_SCHEMAS } from '../../electron/contract/schemas.ts';
import { loadQueueFile, QUEUE_FILE_VERSION } from '../../electron/core/jobs/queue-file.ts';
import { tempHome } from './fixtures.ts';

const CASES: [Record<string, unknown>, boolean][] = [
  [{}, true],
  [{ language: 'en', task: 'translate', device: 'cpu', threads: 8, vad: false }, true],
  [
    { modelId: 'whisper-base', diarize: true, numSpeakers: 3, diarizeWith: 'neural', initialPrompt: 'Names: Ada.' },
    true,
  ],
  [{ threads: 256 }, true],
  [{ threads: 300 }, false],
  [{ threads: 1.5 }, false],
  [{ language: 'x' }, false],
  [{ language: 'much-too-long' }, false],
  [{ numSpeakers: 0 }, false],
  [{ numSpeakers: 50 }, false],
  [{ initialPrompt: 'a'.repeat(2000) }, true],
  [{ initialPrompt: 'a'.repeat(2001) }, false],
  [{ task: 'summarise' }, false],
  [{ modelId: '' }, false],
];

test('the contract and the queue file agree on every job setting', async () => {
  const home = await tempHome('earshot-job-settings-');
  const file = path.join(home, 'queue.json');
  for (const [settings, ok] of CASES) {
    const request = REQUEST_SCHEMAS['jobs:addUrl'].safeParse(['https://example.com/a.mp3', settings]);
    assert.equal(request.success, ok, `contract: ${JSON.stringify(settings)}`);
    const job = {
      id: 'job_1',
      source: { kind: 'url', value: 'https://example.com/a.mp3', name: 'a.mp3' },
      stage: 'queued',
      progress: 0,
      createdAt: new Date(0).toISOString(),
      settings,
    };
    writeFileSync(file, JSON.stringify({ version: QUEUE_FILE_VERSION, jobs: [job] }));
    assert.equal(loadQueueFile(file).length, ok ? 1 : 0, `queue file: ${JSON.stringify(settings)}`);
  }
  // A field from a newer version: the request is refused, the persisted job is kept.
  assert.equal(REQUEST_SCHEMAS['jobs:addUrl'].safeParse(['https://e.com/a', { future: 1 }]).success, false);
  writeFileSync(
    file,
    JSON.stringify({
      jobs: [
        {
          id: 'j',
          source: { kind: 'file', value: '/a.wav', name: 'a.wav' },
          stage: 'done',
          progress: 1,
          createdAt: '',
          settings: { future: 1 },
        },
      ],
    }),
  );
  assert.equal(loadQueueFile(file).length, 1);
  await fs.rm(home, { recursive: true, force: true });
});
