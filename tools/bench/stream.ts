/**
 * `npm run bench:stream`: live streaming on a real `earshot serve` (loopback), two measurements in one run.
 *
 * 1. Burst: one client pushes `--burst-mb` (default 60) of 48 kHz PCM16 as fast as it can, in 4 KB frames (the shape
 *    that froze the server for 18 s when every frame had its own ffmpeg run). Meanwhile `/health` is asked every
 *    50 ms; its latency percentiles are reported beside the same probe on the idle server (the peer), with the
 *    server's peak RSS. Target: p99 < 100 ms.
 * 2. Real time: one client sends `--seconds` (default 30) of speech at 48 kHz in 20 ms frames at real-time pace, then
 *    `{"type":"end"}`. Reported: how long after `end` the last final text arrives (target < 1 s), and how far each
 *    final transcript lags behind the moment its audio was sent.
 *
 * Options: --burst-mb N --burst-seconds S (cap) --seconds S --model <dir> --json
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { benchKey, defaultModel, latencySummary as summary, probeHealth, rssMb, startServer } from './serve-process.ts';

const { values } = parseArgs({
  options: {
    'burst-mb': { type: 'string', default: '60' },
    'burst-seconds': { type: 'string', default: '120' },
    seconds: { type: 'string', default: '30' },
    model: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const RATE = 48000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function openStream(url: string, key: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/listen/stream?sample_rate=${RATE}`, {
      headers: { Authorization: `Token ${key}` },
    });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function burst(url: string, key: string, pcm: Buffer, pid: number) {
  const bytes = Number(values['burst-mb']) * 1024 * 1024;
  const audio = Buffer.concat(Array.from({ length: Math.ceil(bytes / pcm.length) }, () => pcm)).subarray(0, bytes);
  const ws = await openStream(url, key);
  let peakRss = rssMb(pid);
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssMb(pid));
  }, 250);
  const started = performance.now();
  const finished = new Promise<string>((resolve) => {
    ws.on('message', (data) => {
      if ((JSON.parse(String(data)) as { is_last?: boolean }).is_last) resolve('done');
    });
    ws.on('close', () => resolve('closed'));
    setTimeout(() => resolve('capped'), Number(values['burst-seconds']) * 1000);
  });
  const health = probeHealth(url, finished);
  await sleep(500); // let the prober start
  for (let at = 0; at < audio.length; at += 4096) ws.send(audio.subarray(at, at + 4096));
  ws.send(JSON.stringify({ type: 'end' }));
  const outcome = await finished;
  const seconds = (performance.now() - started) / 1000;
  ws.terminate();
  clearInterval(sampler);
  return { outcome, audioSeconds: audio.length / 2 / RATE, seconds, health: summary(await health), peakRss };
}

async function realTime(url: string, key: string, pcm: Buffer) {
  const frameBytes = (RATE / 50) * 2; // 20 ms
  const ws = await openStream(url, key);
  /** When the audio up to each second of the stream had been sent. */
  const sentAt: number[] = [];
  const lags: number[] = [];
  let endSentAt = 0;
  const done = new Promise<number>((resolve) => {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { is_final?: boolean; is_last?: boolean; end?: number };
      const now = performance.now();
      if (m.is_final && typeof m.end === 'number') {
        const sent = sentAt[Math.min(sentAt.length - 1, Math.floor(m.end * 50))];
        if (sent !== undefined) lags.push(now - sent);
      }
      if (m.is_last) resolve(now - endSentAt);
    });
  });
  const t0 = performance.now();
  for (let i = 0, at = 0; at < pcm.length; i++, at += frameBytes) {
    // Paced by the clock, not by the timer's drift: frame i leaves at t0 + 20 ms × i.
    const wait = t0 + i * 20 - performance.now();
    if (wait > 0) await sleep(wait);
    ws.send(pcm.subarray(at, at + frameBytes));
    sentAt.push(performance.now());
  }
  endSentAt = performance.now();
  ws.send(JSON.stringify({ type: 'end' }));
  const finalLagMs = await done;
  ws.close();
  return { audioSeconds: pcm.length / 2 / RATE, finalLagMs, finalTranscriptLag: summary(lags) };
}

async function main() {
  const home = mkdtempSync(path.join(os.tmpdir(), 'earshot-bench-stream-'));
  try {
    const wav = path.join(home, 'speech.wav');
    const text =
      'the quick brown fox jumps over the lazy dog. then it runs into the forest and sleeps under an old tree. ' +
      'in the morning the birds sing and the fox wakes up, hungry and curious about the world.';
    execFileSync('espeak-ng', ['-s', '150', '-w', wav, text], { stdio: 'ignore' });
    const seconds = Number(values.seconds);
    const pcm = execFileSync(
      'ffmpeg',
      [
        '-loglevel',
        'error',
        '-stream_loop',
        '-1',
        '-i',
        wav,
        '-t',
        String(seconds),
        '-f',
        's16le',
        '-ac',
        '1',
        '-ar',
        String(RATE),
        '-',
      ],
      { maxBuffer: 1024 * 1024 * 1024 },
    );
    const key = await benchKey('bench-stream', { concurrentRequests: 8 });
    const model = values.model ?? defaultModel();
    const { child, url } = await startServer(home, key, ['--model', model]);
    try {
      const idle = summary(await probeHealth(url, sleep(3000)));
      const b = await burst(url, key, pcm, child.pid!);
      const rt = await realTime(url, key, pcm);
      const report = {
        model: path.basename(model),
        loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
        healthIdleMs: idle,
        burst: b,
        healthP99RatioBurstToIdle: b.health.p99 / idle.p99,
        realTime: rt,
      };
      if (values.json) {
        console.log(JSON.stringify(report, null, 2));
        return;
      }
      const ms = (x: number) => `${x.toFixed(1)} ms`;
      console.log(
        `model ${report.model}; load average ${report.loadavg.join(' ')} (a loaded machine makes every figure worse)`,
      );
      console.log(
        `/health idle:            p50 ${ms(idle.p50)}  p99 ${ms(idle.p99)}  max ${ms(idle.max)}  (${idle.n} probes)`,
      );
      console.log(
        `/health during burst:    p50 ${ms(b.health.p50)}  p99 ${ms(b.health.p99)}  max ${ms(b.health.max)}  (${b.health.n} probes; target p99 < 100 ms; ${report.healthP99RatioBurstToIdle.toFixed(1)}× idle p99)`,
      );
      console.log(
        `burst: ${values['burst-mb']} MB = ${b.audioSeconds.toFixed(0)} s of 48 kHz audio, ${b.outcome} in ${b.seconds.toFixed(1)} s (${(b.audioSeconds / b.seconds).toFixed(1)}× real time); server peak RSS ${b.peakRss.toFixed(0)} MB`,
      );
      console.log(
        `real-time 48 kHz client (${rt.audioSeconds.toFixed(0)} s, 20 ms frames): last final text ${ms(rt.finalLagMs)} after "end" (target < 1000 ms); each final behind its audio: p50 ${ms(rt.finalTranscriptLag.p50)}  max ${ms(rt.finalTranscriptLag.max)}`,
      );
    } finally {
      child.kill('SIGTERM');
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
