/**
 * First run with a real model on the path (issue 22): step 2 offers a one-click download of the model the core
 * recommends for this machine, with progress, from the local Hugging Face-style mirror the harness serves; the
 * bundled demo model is named as the offline fallback.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { ModelDownloadProgress, ModelRecommendation, ModelView, Result } from '../../electron/contract/api.ts';
import type { Catalog } from '../../electron/core/models/index.ts';
import { WHISPER_JSON_FILES } from '../../electron/core/models/validate.ts';
import { demoModelAvailable, tempHome, WHISPER_FIXTURE } from '../app/fixtures.ts';
import { axeViolations, screenshot, withHarness } from './harness.ts';

const REPO = 'test/whisper-recommended';

/**
 * The random-weight Whisper fixture published under every id the recommendation can pick on a CPU machine, with its
 * int8 ("quantized") file names (the same bytes: the download and verification path is what is tested here).
 */
async function mirrorCatalog(dir: string): Promise<Catalog> {
  await fs.cp(WHISPER_FIXTURE, dir, { recursive: true });
  for (const f of ['encoder_model', 'decoder_model_merged']) {
    await fs.copyFile(path.join(dir, 'onnx', `${f}.onnx`), path.join(dir, 'onnx', `${f}_quantized.onnx`));
  }
  const file = async (p: string) => {
    const bytes = await fs.readFile(path.join(dir, p));
    return { path: p, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  };
  const real = JSON.parse(await fs.readFile('models/catalog.json', 'utf8'));
  const entry = async (id: string, name: string) => ({
    id,
    name,
    family: 'whisper',
    description: 'Random weights served by the test mirror.',
    licence: 'MIT',
    languages: ['en'],
    accuracy: [],
    parameters: 1_000_000,
    wordTiming: 'aligned',
    source: { repo: REPO, revision: '0123456789abcdef0123456789abcdef01234567' },
    defaultVariant: 'quantized',
    sharedFiles: await Promise.all(WHISPER_JSON_FILES.map(file)),
    variants: {
      quantized: {
        files: [
          await file('onnx/encoder_model_quantized.onnx'),
          await file('onnx/decoder_model_merged_quantized.onnx'),
        ],
      },
    },
  });
  return {
    schemaVersion: 1,
    languageSets: real.languageSets,
    models: [
      ...real.models.filter((m: { bundled?: boolean }) => m.bundled),
      await entry('whisper-tiny', 'Whisper tiny'),
      await entry('whisper-base', 'Whisper base'),
      await entry('whisper-small', 'Whisper small'),
    ],
  } as Catalog;
}

test('step 2 downloads the recommended model in one click, with progress; the demo is the labelled fallback', async () => {
  // A fresh data folder whose mirror serves the recommended models.
  const mirror = await tempHome('earshot-first-run-mirror-');
  try {
    await withHarness(
      {
        prefix: 'earshot-first-run-',
        desktop: { catalog: await mirrorCatalog(mirror) },
        mirror: { repo: REPO, dir: mirror },
      },
      async (h) => {
        const { page } = h;
        const step = page.getByTestId('model-step');
        const button = step.getByRole('button', {
          name: /^Download Whisper (tiny|base|small) \(.+\) — recommended for this computer$/,
        });
        await button.waitFor();
        const label = (await button.textContent()) ?? '';
        const recommended = (await h.desktop.dispatch('models:recommend', [])) as Result<ModelRecommendation>;
        assert.ok(recommended.ok);
        assert.ok(label.includes(recommended.value.name), `${label} names ${recommended.value.name}`);
        if (demoModelAvailable()) {
          await step
            .getByTestId('demo-fallback')
            .getByText(/Offline fallback/)
            .waitFor();
          assert.doesNotMatch((await step.textContent()) ?? '', /Ready to use/);
        }
        await screenshot(page, 'first-run-download'); // docs/screenshots/first-run-download.png is a copy
        assert.deepEqual(await axeViolations(page), []);

        const progress: ModelDownloadProgress[] = [];
        const off = h.desktop.onModelProgress((p) => progress.push(p));
        await button.click();
        await step.getByTestId('model-ready').getByText(recommended.value.name).waitFor({ timeout: 60_000 });
        off();
        const downloading = progress.filter((p) => p.state === 'downloading' && p.modelId === recommended.value.id);
        assert.ok(downloading.length > 0, 'progress was reported');
        assert.equal(progress.at(-1)?.state, 'installed');
        // Installed and now the model that runs.
        const models = (await h.desktop.dispatch('models:list', [])) as Result<ModelView[]>;
        assert.ok(models.ok);
        const installed = models.value.find((m) => m.id === recommended.value.id);
        assert.ok(installed?.installed && installed.isDefault, JSON.stringify(installed));
        assert.equal(await step.getByTestId('demo-fallback').count(), 0);
      },
    );
  } finally {
    await fs.rm(mirror, { recursive: true, force: true });
  }
});
