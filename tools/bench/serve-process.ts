/**
 * What the server benchmarks share: a real `earshot serve` child process in a temp EARSHOT_HOME, the model to give it,
 * a development license key, and the process's resident memory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { developmentSigningKey, issueLicense } from '../../electron/core/license/sign.ts';

export const REPO = path.resolve(import.meta.dirname, '../..');

export function defaultModel(): string {
  for (const dir of [
    path.join(REPO, 'models', 'demo-en'),
    path.join(REPO, 'test', 'fixtures', 'models', 'whisper-tiny-random'),
  ]) {
    if (existsSync(dir)) return dir;
  }
  throw new Error('No model: pass --model <dir>');
}

export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

export async function benchKey(customer: string, limits: { requestsPerMinute?: number; concurrentRequests?: number }) {
  const { key } = issueLicense({
    privateKey: await developmentSigningKey(),
    customer,
    expiresAt: new Date(Date.now() + 86_400_000),
    limits,
  });
  return key;
}

/** Starts `earshot serve --port 0 --quiet <args>` and resolves once it listens with the model loaded. */
export async function startServer(
  home: string,
  key: string,
  args: string[],
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'electron/cli.ts', 'serve', '--port', '0', '--quiet', ...args],
    {
      cwd: REPO,
      env: { ...process.env, EARSHOT_HOME: home, LICENSE_KEY: key },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (\S+)/.exec(err);
      if (m && /ready, model/.test(err)) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${err}`)));
  });
  return { child, url };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function latencySummary(latencies: number[]) {
  const s = [...latencies].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    n: s.length,
    p50: r(percentile(s, 50)),
    p95: r(percentile(s, 95)),
    p99: r(percentile(s, 99)),
    max: r(s.at(-1) ?? Number.NaN),
  };
}

/**
 * Asks /health every 50 ms until `stop` resolves; returns each answer's latency in ms (a failure counts as 30 s). The
 * prober runs in a worker thread: the benchmark process is busy sending load, and its own busy moments must not be
 * counted as the server's.
 */
export async function probeHealth(url: string, stop: Promise<unknown>): Promise<number[]> {
  const worker = new Worker(
    `
    const { parentPort, workerData } = require('node:worker_threads');
    const latencies = [];
    let done = false;
    parentPort.once('message', () => { done = true; });
    (async () => {
      while (!done) {
        const t0 = performance.now();
        try {
          const res = await fetch(workerData.url + '/health', { signal: AbortSignal.timeout(30000) });
          await res.text();
          latencies.push(performance.now() - t0);
        } catch {
          latencies.push(30000);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      parentPort.postMessage(latencies);
    })();
    `,
    { eval: true, workerData: { url } },
  );
  const result = new Promise<number[]>((resolve) => worker.once('message', resolve));
  await stop;
  worker.postMessage('stop');
  const latencies = await result;
  await worker.terminate();
  return latencies;
}
