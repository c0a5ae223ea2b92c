/**
 * `npm run bench:load`: a load test of `earshot serve` on loopback. N concurrent clients (default 200) post short
 * speech for S seconds (default 30), half synchronously and half as callback jobs with a local webhook receiver, then
 * the script checks: the server never crashed, every status was 200, 429 or 503, every synchronous 200 carried a
 * unique request id, and every accepted job was delivered to the webhook exactly once (none lost, none duplicated).
 * It samples the server's RSS every 500 ms to show that memory stays bounded, and ends with one more request, which
 * must succeed at once (no license slot or queue place leaked).
 *
 * Before the load, one more row: `/health` latency p50/p99 while `--workers` long transcriptions run at once (probed
 * from a worker thread every 50 ms for `--inference-seconds`, default 10), beside the same probe on the idle server.
 * It shows whether inference blocks the HTTP event loop (target p99 < 50 ms).
 *
 * Options: --clients N --seconds S --queue N --workers N --model <dir> --rpm N --concurrency N --inference-seconds S
 * Output: a table of figures on stdout (and JSON with --json).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { benchKey, defaultModel, latencySummary, probeHealth, rssMb, startServer } from './serve-process.ts';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '30' },
    queue: { type: 'string', default: '32' },
    workers: { type: 'string', default: '1' },
    model: { type: 'string' },
    rpm: { type: 'string', default: '1000000' },
    concurrency: { type: 'string', default: '64' },
    'inference-seconds': { type: 'string', default: '10' },
    json: { type: 'boolean', default: false },
  },
});
const CLIENTS = Number(values.clients);
const SECONDS = Number(values.seconds);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const LONG_TEXT =
  'The committee met on Tuesday to review the budget for the coming year. Several members asked for more time ' +
  'to read the report, and the chair agreed to meet again next week. In the meantime, the finance team will ' +
  'prepare a summary of the changes, with the reasons for each one, so that everyone can vote with the facts.';

/**
 * `/health` latency while `--workers` synchronous transcriptions of ~20 s of speech run back to back: the server is
 * as busy as its workers allow, and nothing else is asked of it.
 */
async function healthWhileTranscribing(url: string, key: string, audio: Buffer, agent: Agent) {
  const workers = Number(values.workers);
  const stopAt = Date.now() + Number(values['inference-seconds']) * 1000;
  let transcriptions = 0;
  const load = Promise.all(
    Array.from({ length: workers }, async () => {
      while (Date.now() < stopAt) {
        const res = await request(`${url}/v1/listen`, {
          method: 'POST',
          dispatcher: agent,
          headers: { authorization: `Token ${key}`, 'content-type': 'audio/wav' },
          body: audio,
        });
        await res.body.dump();
        if (res.statusCode === 200) transcriptions++;
      }
    }),
  );
  // The probe starts once the first uploads are in, so that it measures the busy server, not the idle one.
  await sleep(300);
  const latencies = await probeHealth(url, load);
  return { ...latencySummary(latencies), transcriptions };
}

async function main() {
  const home = mkdtempSync(path.join(os.tmpdir(), 'earshot-load-'));
  const speech = path.join(home, 'short.wav');
  execFileSync('espeak-ng', ['-w', speech, 'hello, this is a short test'], { stdio: 'ignore' });
  const audio = readFileSync(speech);
  const longSpeech = path.join(home, 'long.wav');
  execFileSync('espeak-ng', ['-w', longSpeech, LONG_TEXT], { stdio: 'ignore' });
  const key = await benchKey('load-test', {
    requestsPerMinute: Number(values.rpm),
    concurrentRequests: Number(values.concurrency),
  });

  // Webhook receiver: counts deliveries per job id.
  const deliveries = new Map<string, number>();
  const hook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const { job_id } = JSON.parse(body) as { job_id: string };
      deliveries.set(job_id, (deliveries.get(job_id) ?? 0) + 1);
      res.writeHead(200).end('{"received":true}');
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;

  const model = values.model ?? defaultModel();
  const { child, url } = await startServer(home, key, [
    '--model',
    model,
    '--queue',
    String(values.queue),
    '--workers',
    String(values.workers),
    '--allow-private-urls',
  ]);
  let crashed = false;
  child.once('exit', () => {
    crashed = true;
  });
  const rss: number[] = [rssMb(child.pid!)];
  const sampler = setInterval(() => {
    if (!crashed) rss.push(rssMb(child.pid!));
  }, 500);

  const agent = new Agent({ connections: CLIENTS + 10, pipelining: 1 });
  const healthIdle = latencySummary(await probeHealth(url, sleep(2000)));
  const healthInference = await healthWhileTranscribing(url, key, readFileSync(longSpeech), agent);
  const statuses = new Map<number, number>();
  const requestIds = new Map<string, number>();
  const accepted = new Set<string>();
  const latencies: number[] = [];
  let errors = 0;
  const stopAt = Date.now() + SECONDS * 1000;

  async function client(n: number) {
    let i = 0;
    while (Date.now() < stopAt) {
      const async = (n + i++) % 2 === 1;
      const query = async ? `?callback_url=${encodeURIComponent(hookUrl)}` : '';
      const started = performance.now();
      try {
        const res = await request(`${url}/v1/listen${query}`, {
          method: 'POST',
          dispatcher: agent,
          headers: { authorization: `Token ${key}`, 'content-type': 'audio/wav' },
          body: audio,
        });
        const body = (await res.body.json()) as { request_id?: string; job_id?: string };
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode === 200) {
          if (async) accepted.add(body.job_id!);
          else {
            latencies.push(performance.now() - started);
            requestIds.set(body.request_id!, (requestIds.get(body.request_id!) ?? 0) + 1);
          }
        } else if (res.statusCode === 429 || res.statusCode === 503) {
          // A polite client waits a little, as the server asked (capped so the load stays high).
          const retry = Number(res.headers['retry-after'] ?? 1);
          await new Promise((r) => setTimeout(r, Math.min(1000, retry * 100)));
        }
      } catch {
        errors++;
      }
    }
  }

  const t0 = Date.now();
  await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));
  const loadSeconds = (Date.now() - t0) / 1000;

  // Let the accepted jobs finish and their webhooks arrive.
  const drainDeadline = Date.now() + 600_000;
  while ([...accepted].some((id) => !deliveries.has(id)) && Date.now() < drainDeadline && !crashed) {
    await new Promise((r) => setTimeout(r, 250));
  }
  clearInterval(sampler);
  const health = crashed ? 0 : (await request(`${url}/health`, { dispatcher: agent })).statusCode;
  // Nothing leaked: no license slot or queue place is still held, so one more request goes straight through.
  let afterLoad = 0;
  if (!crashed) {
    const res = await request(`${url}/v1/listen`, {
      method: 'POST',
      dispatcher: agent,
      headers: { authorization: `Token ${key}`, 'content-type': 'audio/wav' },
      body: audio,
    });
    await res.body.dump();
    afterLoad = res.statusCode;
  }

  const lost = [...accepted].filter((id) => !deliveries.has(id)).length;
  const duplicated =
    [...deliveries.values()].filter((n) => n > 1).length + [...requestIds.values()].filter((n) => n > 1).length;
  const unexpected = [...deliveries.keys()].filter((id) => !accepted.has(id)).length;
  const badStatuses = [...statuses.keys()].filter((s) => ![200, 429, 503].includes(s));
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]) : 0;
  const total = [...statuses.values()].reduce((a, b) => a + b, 0);
  const figures = {
    model: path.basename(model),
    health_idle_ms: healthIdle,
    health_during_inference_ms: healthInference,
    clients: CLIENTS,
    seconds: Math.round(loadSeconds * 10) / 10,
    requests: total,
    requests_per_second: Math.round((total / loadSeconds) * 10) / 10,
    statuses: Object.fromEntries([...statuses.entries()].sort()),
    transport_errors: errors,
    sync_200: latencies.length,
    sync_latency_ms: { p50: pct(0.5), p95: pct(0.95), p99: pct(0.99), max: Math.round(latencies.at(-1) ?? 0) },
    jobs_accepted: accepted.size,
    webhooks_delivered: [...deliveries.values()].reduce((a, b) => a + b, 0),
    jobs_lost: lost,
    duplicates: duplicated,
    unexpected_webhooks: unexpected,
    server_rss_mb: { start: Math.round(rss[0]), peak: Math.round(Math.max(...rss)), end: Math.round(rss.at(-1)!) },
    crashed,
    health_after: health,
    request_after_load: afterLoad,
  };
  const ok =
    !crashed &&
    badStatuses.length === 0 &&
    lost === 0 &&
    duplicated === 0 &&
    unexpected === 0 &&
    errors === 0 &&
    health === 200;

  child.kill('SIGTERM');
  await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
  await agent.close();
  hook.close();
  rmSync(home, { recursive: true, force: true });

  if (values.json) console.log(JSON.stringify({ ...figures, ok }, null, 2));
  else {
    for (const [k, v] of Object.entries(figures))
      console.log(`${k.padEnd(22)} ${typeof v === 'object' ? JSON.stringify(v) : v}`);
    console.log(
      `${'verdict'.padEnd(22)} ${ok ? 'PASS' : 'FAIL'}${badStatuses.length ? ` (unexpected statuses ${badStatuses})` : ''}`,
    );
  }
  process.exitCode = ok ? 0 : 1;
}

await main();
