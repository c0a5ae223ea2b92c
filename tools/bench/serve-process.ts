/**
 * What the server benchmarks share: a real `earshot serve` child process in a temp EARSHOT_HOME, the model to give it,
 * a development license key, and the process's resident memory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
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
