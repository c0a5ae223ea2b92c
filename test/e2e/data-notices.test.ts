/**
 * A damaged data file, end to end: the app starts with a truncated queue file, and the window says what was reset and
 * where the copy is, until the user dismisses it (built UI in Chromium, real core).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { devKey } from '../app/fixtures.ts';
import { withHarness } from './harness.ts';

test('the window tells what a damaged file reset, and the notice goes when dismissed', () =>
  withHarness(
    {
      prefix: 'earshot-e2e-notices-',
      prepare: async (home) => {
        await fs.mkdir(path.join(home, 'jobs'), { recursive: true });
        await fs.writeFile(path.join(home, 'jobs', 'queue.json'), '{"version":1,"jobs":[{"id":"tru');
      },
      beforeLoad: async (desktop) => {
        await desktop.license.set(await devKey());
      },
    },
    async (h) => {
      const notice = h.page.getByTestId('data-notices').getByRole('alert');
      await notice.waitFor();
      const text = (await notice.textContent()) ?? '';
      assert.match(
        text,
        /The job queue \(queue\.json\) was damaged and was cleared\. A copy is kept as queue\.json\.damaged-/,
      );
      await notice.getByRole('button', { name: 'Dismiss' }).click();
      await h.page.getByTestId('data-notices').waitFor({ state: 'detached' });
      const left = await h.desktop.dispatch('system:notices', []);
      assert.deepEqual(left, { ok: true, value: [] });
    },
  ));
