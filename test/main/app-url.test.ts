/**
 * The IPC frame check and the navigation lock trust exactly the bundled index.html, whatever the install path looks
 * like. The Windows cases use the URLs Chromium reports there (canonical `file:///C:/…`, percent-encoded); the POSIX
 * cases take the URL from a real Chromium that loaded a page from such a folder.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { chromium } from 'playwright-core';
import { isAppPageUrl } from '../../electron/main/app-url.ts';

const CHROMIUM = process.env.EARSHOT_CHROMIUM ?? '/usr/bin/chromium';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'earshot-app-url-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('Windows: the canonical URL Chromium reports for the install folder is trusted', () => {
  const index = 'C:\\Program Files\\Earshot\\resources\\app.asar\\dist\\renderer\\index.html';
  const url = 'file:///C:/Program%20Files/Earshot/resources/app.asar/dist/renderer/index.html';
  assert.equal(isAppPageUrl(url, index, 'win32'), true);
  assert.equal(isAppPageUrl(`${url}#/history`, index, 'win32'), true);
  // Chromium may report the drive letter in the other case; NTFS names compare without case.
  assert.equal(isAppPageUrl(url.replace('C:', 'c:'), index, 'win32'), true);
});

test('Windows: non-ASCII user folders and UNC installs are trusted, encoded either way', () => {
  const index = 'C:\\Users\\Zoë Müller\\AppData\\Local\\Programs\\Earshot\\dist\\renderer\\index.html';
  assert.equal(
    isAppPageUrl(
      'file:///C:/Users/Zo%C3%AB%20M%C3%BCller/AppData/Local/Programs/Earshot/dist/renderer/index.html',
      index,
      'win32',
    ),
    true,
  );
  assert.equal(
    isAppPageUrl('file:///C:/Users/Zoë Müller/AppData/Local/Programs/Earshot/dist/renderer/index.html', index, 'win32'),
    true,
  );
  assert.equal(
    isAppPageUrl(
      'file://server/share/Earshot/dist/renderer/index.html',
      '\\\\server\\share\\Earshot\\dist\\renderer\\index.html',
      'win32',
    ),
    true,
  );
});

test('Windows: siblings, other files, other drives and other schemes are refused', () => {
  const index = 'C:\\Earshot\\dist\\renderer\\index.html';
  for (const url of [
    'file:///C:/Earshot/dist/renderer-old/index.html',
    'file:///C:/Earshot/dist/renderer/evil.html',
    'file:///C:/Earshot/dist/renderer/index.html.evil.html',
    'file:///D:/Earshot/dist/renderer/index.html',
    'file:///C:/Earshot/dist/renderer%2Findex.html',
    'file://evil-host/C:/Earshot/dist/renderer/index.html',
    'https://example.com/C:/Earshot/dist/renderer/index.html',
    'not a url',
    '',
  ]) {
    assert.equal(isAppPageUrl(url, index, 'win32'), false, url);
  }
});

test('POSIX: the URL a real Chromium reports for a path with spaces and non-ASCII is trusted; siblings are not', async () => {
  const dist = path.join(tmp, 'My Apps', 'Éarshot 日本', 'dist');
  const index = path.join(dist, 'renderer', 'index.html');
  const sibling = path.join(dist, 'renderer-old', 'index.html');
  for (const file of [index, sibling]) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '<!doctype html><title>t</title>');
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.goto(`${pathToFileURL(index).href}#/queue`);
    const reported = page.url();
    assert.notEqual(reported, `file://${index}#/queue`, 'Chromium reports the encoded form, not the raw path');
    assert.equal(isAppPageUrl(reported, index, 'posix'), true, reported);
    await page.goto(pathToFileURL(sibling).href);
    assert.equal(isAppPageUrl(page.url(), index, 'posix'), false, page.url());
  } finally {
    await browser.close();
  }
});

test('POSIX: a folder whose name starts like the app folder, or a traversal back into it, is judged by the real path', () => {
  const index = '/opt/Earshot/dist/renderer/index.html';
  assert.equal(isAppPageUrl('file:///opt/Earshot/dist/renderer-old/index.html', index, 'posix'), false);
  assert.equal(isAppPageUrl('file:///opt/Earshot/dist/renderer/../renderer/index.html', index, 'posix'), true);
  assert.equal(isAppPageUrl('file:///opt/Earshot/dist/renderer/sub/index.html', index, 'posix'), false);
  assert.equal(isAppPageUrl('file://evil/opt/Earshot/dist/renderer/index.html', index, 'posix'), false);
});
