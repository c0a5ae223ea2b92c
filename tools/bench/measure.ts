/** Runs decode-child.ts in a fresh process and returns its measurement. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

export interface DecodeMeasurement {
  audioSeconds: number;
  wallSeconds: number;
  speed: number;
  cpuSeconds: number;
  cpuSpeed: number;
  peakRssMb: number;
  decoder: string;
}

const child = path.join(import.meta.dirname, 'decode-child.ts');

export async function measureDecode(
  file: string,
  decoder: 'native' | 'wasm',
  mode: 'full' | 'stream' = 'full',
): Promise<DecodeMeasurement> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child, file, decoder, mode], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}
