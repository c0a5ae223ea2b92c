import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

const root = path.resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'earshot-cli-'));
const whisperFixture = path.join(root, 'test/fixtures/models/whisper-tiny-random');
let key = '';
let wav = '';

function earshot(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'electron/cli.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, EARSHOT_HOME: path.join(tmp, 'home'), ...env },
    timeout: 120_000,
  });
}

before(() => {
  const issued = earshot(['license', 'issue', '--dev', '--customer', 'CLI tests', '--expires', '2099-01-01']);
  assert.equal(issued.status, 0, issued.stderr);
  key = issued.stdout.trim().split('\n').at(-1)!;
  wav = path.join(tmp, 'speech.wav');
  execFileSync('espeak-ng', ['-w', wav, 'The quick brown fox jumps over the lazy dog.']);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

test('without a license key the CLI refuses with INVALID_LICENSE', () => {
  const r = earshot(['transcribe', wav, '--model', whisperFixture], { LICENSE_KEY: '' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /No license key.*\(INVALID_LICENSE\)/);
});

test('an invalid format is a clear error before any work', () => {
  const r = earshot(['transcribe', wav, '--format', 'mp4'], { LICENSE_KEY: key });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--format must be one of txt, srt, vtt, json/);
});

test('a missing model folder says so', () => {
  const r = earshot(['transcribe', wav, '--model', path.join(tmp, 'nope')], { LICENSE_KEY: key });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /nope/);
});

test('--format json prints the documented shape with a Whisper model, and --output writes the file', () => {
  const out = path.join(tmp, 'out.json');
  const r = earshot(
    ['transcribe', wav, '--model', whisperFixture, '--format', 'json', '--device', 'cpu', '--output', out],
    {
      LICENSE_KEY: key,
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(readFileSync(out, 'utf8'));
  assert.deepEqual(Object.keys(j).sort(), ['device', 'duration', 'language', 'model', 'segments', 'text']);
  assert.equal(j.device.provider, 'cpu');
  assert.ok(Math.abs(j.duration - Number(execFileSync('soxi', ['-D', wav], { encoding: 'utf8' }))) < 0.05);
  assert.ok(j.segments.length > 0);
  for (const s of j.segments) {
    assert.ok(s.end >= s.start);
    assert.ok(Array.isArray(s.words));
  }
  const squash = (t: string) => t.replace(/\s+/g, '');
  assert.equal(
    squash(j.text),
    squash(j.segments.map((s: { text: string }) => s.text).join('')),
    'text is the segments',
  );
  assert.match(r.stderr, /CPU · \d+ thread/);
});
