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

test('with no --model the bundled demo model transcribes synthesised speech and says it is a demo', () => {
  const sentence = path.join(tmp, 'sentence.wav');
  execFileSync('espeak-ng', ['-w', sentence, 'Please call me tomorrow morning about the weather report.']);
  const r = earshot(['transcribe', sentence, '--format', 'txt', '--quiet'], { LICENSE_KEY: key });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /Note: .*synthetic voices/i);
  const words = r.stdout
    .toLowerCase()
    .split(/[^a-z']+/)
    .filter(Boolean);
  const expected = ['please', 'call', 'me', 'tomorrow', 'morning', 'about', 'the', 'weather', 'report'];
  const hits = expected.filter((w) => words.includes(w)).length;
  assert.ok(hits >= 6, `recognised ${hits}/9 words: ${r.stdout}`);
});

test('srt output from a URL input served locally', async () => {
  const { createServer } = await import('node:http');
  const { readFileSync: read } = await import('node:fs');
  const body = read(wav);
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as { port: number }).port;
    const { spawn } = await import('node:child_process');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(root, 'electron/cli.ts'),
        'transcribe',
        `http://127.0.0.1:${port}/speech.wav`,
        '--format',
        'srt',
      ],
      { cwd: root, env: { ...process.env, EARSHOT_HOME: path.join(tmp, 'home'), LICENSE_KEY: key } },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0);
    assert.match(out, /^1\n00:00:\d\d,\d{3} --> 00:00:\d\d,\d{3}\n\S/);
    assert.match(out.toLowerCase(), /fox|dog|quick|brown|lazy/);
  } finally {
    server.close();
  }
});

test('earshot bench reports the device that really ran and the speed', () => {
  const r = earshot(['bench', '--seconds', '8', '--device', 'cpu']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^device +CPU · \d+ threads?$/m);
  const speed = /transcription +[\d.]+ s = ([\d.]+)× real time/.exec(r.stdout);
  assert.ok(speed && Number(speed[1]) > 0, r.stdout);
  assert.match(r.stdout, /audio +8\.0 s/);
});

test('a file longer than the quota left: the CLI writes what it transcribed up to the limit, then fails with QUOTA_EXCEEDED; the next run is refused', () => {
  const home = { EARSHOT_HOME: path.join(tmp, 'quota-home') };
  const issued = earshot(
    [
      'license',
      'issue',
      '--dev',
      '--customer',
      'Quota',
      '--expires',
      '2099-01-01',
      '--audio-hours-per-day',
      String(20 / 3600),
    ],
    home,
  );
  assert.equal(issued.status, 0, issued.stderr);
  const quotaKey = issued.stdout.trim().split('\n').at(-1)!;
  const long = path.join(tmp, 'long.wav');
  const text = Array.from({ length: 12 }, () => 'the quick brown fox jumps over the lazy dog').join('. ');
  execFileSync('espeak-ng', ['-s', '150', '-w', long, text]); // about 34 s: more than the 20 s quota
  const demo = path.join(root, 'models', 'demo-en');
  const args = ['transcribe', long, '--model', demo, '--device', 'cpu', '--format', 'json'];
  const r = earshot(args, { ...home, LICENSE_KEY: quotaKey });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /QUOTA_EXCEEDED/);
  assert.match(r.stderr, /resets at \d{4}-\d\d-\d\dT/);
  const partial = JSON.parse(r.stdout);
  assert.ok(partial.segments.length > 0, 'the transcript up to the limit is written');
  assert.ok(
    partial.segments.every((s: { end: number }) => s.end <= 20),
    JSON.stringify(partial.segments.map((s: { end: number }) => s.end)),
  );
  assert.match(partial.text, /quick|brown|fox|lazy|dog/);
  const again = earshot(args, { ...home, LICENSE_KEY: quotaKey });
  assert.equal(again.status, 1);
  assert.match(again.stderr, /QUOTA_EXCEEDED/);
  assert.equal(again.stdout, '', 'no work starts once the quota is used up');
});
