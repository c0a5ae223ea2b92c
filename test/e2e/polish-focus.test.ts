/**
 * Stronger focus style in menus and dropdowns (issue 22): a menu item or a select reached with the keyboard shows a
 * solid ring at least 2 px wide whose colour stands out 3:1 or more against what surrounds it (WCAG 1.4.11), in the
 * light and the dark theme. Checked from the computed styles of the built renderer in Chromium.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Locator } from 'playwright-core';
import { devKey, speechWav, tempHome } from '../app/fixtures.ts';
import { type Harness, screenshot, startHarness } from './harness.ts';

let h: Harness;
let home: string;

before(async () => {
  home = await tempHome('earshot-polish-focus-');
  const media = speechWav(path.join(home, 'focus.wav'), 'a recording for the focus check');
  h = await startHarness(home, {
    beforeLoad: async (desktop) => {
      await desktop.license.set(await devKey());
      await desktop.library.create({
        title: 'Focus transcript',
        duration: 2,
        language: 'en',
        model: 'test',
        mediaPath: media,
        segments: [
          { id: 0, start: 0, end: 1.5, text: 'a recording for the focus check', avgLogprob: -0.1, noSpeechProb: 0 },
        ],
      });
    },
  });
  await h.page.getByTestId('dropzone').waitFor();
});

after(async () => {
  await h?.close();
  await fs.rm(home, { recursive: true, force: true });
});

interface Ring {
  focused: boolean;
  focusVisible: boolean;
  style: string;
  width: number;
  contrast: number;
}

/** The focused element's outline, and the contrast of its colour against the first opaque background behind it. */
async function ring(target: Locator): Promise<Ring> {
  // tsx keeps function names with a helper that the page does not have.
  await target.page().evaluate('globalThis.__name ??= (f) => f');
  return target.evaluate((el) => {
    const rgb = (c: string) => {
      const m = /rgba?\(([\d.]+)[, ]+([\d.]+)[, ]+([\d.]+)(?:[,/ ]+([\d.]+%?))?/.exec(c);
      if (!m) throw new Error(`unexpected colour ${c}`);
      const a = m[4] === undefined ? 1 : m[4].endsWith('%') ? Number.parseFloat(m[4]) / 100 : Number(m[4]);
      return { r: Number(m[1]), g: Number(m[2]), b: Number(m[3]), a };
    };
    const luminance = ({ r, g, b }: { r: number; g: number; b: number }) => {
      const lin = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    // The ring sits on the element's own edge (negative offset) or just outside it: what is behind is the first
    // opaque background from the parent up (the element's own fill too, when the ring is drawn inside it).
    const s = getComputedStyle(el);
    let behind = Number.parseFloat(s.outlineOffset) < 0 ? el : el.parentElement;
    let bg = rgb('rgba(0, 0, 0, 0)');
    while (behind) {
      const c = rgb(getComputedStyle(behind).backgroundColor);
      if (c.a >= 0.99) {
        bg = c;
        break;
      }
      behind = behind.parentElement;
    }
    const ringColour = rgb(s.outlineColor);
    const [l1, l2] = [luminance(ringColour), luminance(bg)].sort((a, b) => b - a);
    return {
      focused: document.activeElement === el,
      focusVisible: el.matches(':focus-visible'),
      style: s.outlineStyle,
      width: Number.parseFloat(s.outlineWidth),
      contrast: Math.round(((l1 + 0.05) / (l2 + 0.05)) * 100) / 100,
    };
  });
}

function assertStrong(r: Ring, what: string): void {
  assert.ok(r.focused && r.focusVisible, `${what} has the keyboard focus`);
  assert.equal(r.style, 'solid', `${what}: outline style`);
  assert.ok(r.width >= 2, `${what}: outline ${r.width}px`);
  assert.ok(r.contrast >= 3, `${what}: ring contrast ${r.contrast}:1`);
}

for (const theme of ['light', 'dark'] as const) {
  test(`menu items and dropdowns show a strong focus ring, ${theme} theme`, async () => {
    const { page } = h;
    await h.desktop.dispatch('settings:update', [{ theme }]);
    await h.reload();
    await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme);

    // A dropdown on the Transcribe screen, reached with Tab.
    await page.getByTestId('dropzone').waitFor();
    const model = page.getByTestId('drop-model');
    await model.focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    assertStrong(await ring(model), 'the per-drop model dropdown');

    // The transcript's Export menu, opened from the keyboard: focus moves onto its first item, then down.
    await h.sendCommand({ type: 'navigate', view: 'history' });
    await page.getByRole('button', { name: /^Focus transcript/ }).click();
    await page.getByTestId('segment').first().waitFor();
    const exportButton = page.getByRole('button', { name: 'Export', exact: true });
    await exportButton.focus();
    await page.keyboard.press('Enter');
    const items = page.getByRole('menuitem');
    await items.first().waitFor();
    assertStrong(await ring(items.first()), 'the first Export menu item');
    await page.keyboard.press('ArrowDown');
    assertStrong(await ring(items.nth(1)), 'the next Export menu item');
    // Only the focused item has the ring.
    assert.equal((await ring(items.nth(2))).style, 'none');
    await screenshot(page, `menu-focus-${theme}`);
    await page.keyboard.press('Escape');

    // The player's speed dropdown.
    const speed = page.getByTestId('speed');
    await speed.focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    assertStrong(await ring(speed), 'the playback speed dropdown');
  });
}

test('no errors or warnings in the page console', () => {
  assert.deepEqual(h.pageErrors, []);
});
