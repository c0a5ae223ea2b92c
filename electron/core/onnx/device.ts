/**
 * ONNX session creation with honest device choice. onnxruntime-node throws instead of falling back when a provider
 * cannot load, so `auto` tries the platform's GPU providers one at a time and falls back to CPU, recording why.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { EarshotError } from '../errors.ts';
import type { DeviceInfo, DeviceRequest } from './types.ts';

type Provider = DeviceInfo['provider'];

const LABELS: Record<Provider, string> = {
  cpu: 'CPU',
  cuda: 'GPU · CUDA',
  dml: 'GPU · DirectML',
  coreml: 'GPU · CoreML',
  webgpu: 'GPU · WebGPU',
};

/** GPU providers worth trying on this platform, best first. */
export function gpuProvidersForPlatform(platform = process.platform): Provider[] {
  if (platform === 'win32') return ['dml', 'webgpu'];
  if (platform === 'darwin') return ['coreml', 'webgpu'];
  return ['cuda', 'webgpu'];
}

export function candidateProviders(request: DeviceRequest = 'auto'): Provider[] {
  switch (request) {
    case 'cpu':
      return ['cpu'];
    case 'gpu':
      return gpuProvidersForPlatform();
    case 'auto':
      return [...gpuProvidersForPlatform(), 'cpu'];
    default:
      return [request];
  }
}

export function defaultThreads(): number {
  // Leave one core for the UI and the OS on small machines.
  const n = os.availableParallelism();
  return Math.max(1, n > 4 ? n - 1 : n);
}

export interface SessionRequest {
  device?: DeviceRequest;
  threads?: number;
  /** Extra session options (graph optimisation level, free dimension overrides...). */
  options?: ort.InferenceSession.SessionOptions;
}

export interface CreatedSession {
  session: ort.InferenceSession;
  device: DeviceInfo;
}

/**
 * onnxruntime-node ships CUDA's provider libraries only when its install step downloaded them; without them the
 * attempt only prints a loader error, so say so plainly and skip it.
 */
function missingProviderFiles(provider: Provider): string | undefined {
  if (provider !== 'cuda' || process.platform !== 'linux') return undefined;
  try {
    const require = createRequire(import.meta.url);
    const binDir = path.join(
      path.dirname(require.resolve('onnxruntime-node/package.json')),
      'bin',
      'napi-v6',
      'linux',
      process.arch,
    );
    if (existsSync(path.join(binDir, 'libonnxruntime_providers_cuda.so'))) return undefined;
    return 'CUDA provider libraries are not installed (install onnxruntime-node with its CUDA download, plus CUDA 12 and cuDNN 9)';
  } catch {
    return undefined;
  }
}

/**
 * Creates a session on the first provider that loads. `device: 'gpu'` (or a named provider) fails with the reasons
 * when no GPU provider loads; `auto` ends on CPU.
 */
export async function createSession(model: string | Uint8Array, request: SessionRequest = {}): Promise<CreatedSession> {
  const threads = request.threads ?? defaultThreads();
  const fallbacks: { provider: Provider; reason: string }[] = [];
  const candidates = candidateProviders(request.device);
  for (const provider of candidates) {
    const missing = missingProviderFiles(provider);
    if (missing) {
      fallbacks.push({ provider, reason: missing });
      continue;
    }
    const options: ort.InferenceSession.SessionOptions = {
      graphOptimizationLevel: 'all',
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      ...request.options,
      executionProviders: [provider],
      // Failed GPU probes are reported through `fallbacks`; keep onnxruntime's own error logging for real errors.
      logSeverityLevel: provider === 'cpu' ? 2 : 3,
      // Spinning threads keep cores at 100% between runs; turn it off so the desktop stays responsive.
      extra: {
        session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } },
        ...request.options?.extra,
      },
    };
    try {
      const session =
        typeof model === 'string'
          ? await ort.InferenceSession.create(model, options)
          : await ort.InferenceSession.create(model, options);
      const label = provider === 'cpu' ? `CPU · ${threads} thread${threads === 1 ? '' : 's'}` : LABELS[provider];
      return { session, device: { provider, label, threads: provider === 'cpu' ? threads : undefined, fallbacks } };
    } catch (e) {
      fallbacks.push({ provider, reason: conciseReason(e) });
    }
  }
  throw new SessionCreateError(candidates.includes('cpu') ? 'MODEL_INVALID' : 'DEVICE_UNAVAILABLE', fallbacks, request);
}

/**
 * No execution provider could open the model. `code` says whose problem it is: DEVICE_UNAVAILABLE when only GPUs were
 * asked for (the user can choose CPU), MODEL_INVALID when CPU was among the candidates and failed too (the file is the
 * problem). `attempts` holds each provider tried and onnxruntime's reason, so callers never parse the message.
 */
export class SessionCreateError extends EarshotError {
  readonly attempts: readonly { provider: Provider; reason: string }[];

  constructor(
    code: 'MODEL_INVALID' | 'DEVICE_UNAVAILABLE',
    attempts: { provider: Provider; reason: string }[],
    request: SessionRequest,
  ) {
    const detail = attempts.map((f) => `${f.provider}: ${f.reason}`).join('; ');
    super(
      code,
      `No execution provider could load the model (${detail})`,
      code === 'DEVICE_UNAVAILABLE' ? { requested: request.device } : {},
    );
    this.name = 'SessionCreateError';
    this.attempts = attempts;
  }

  /** onnxruntime's reason for `provider`, else for the last provider tried. */
  reasonFor(provider?: Provider): string {
    const hit = provider ? this.attempts.find((a) => a.provider === provider) : undefined;
    return (hit ?? this.attempts[this.attempts.length - 1])?.reason ?? 'no provider was tried';
  }
}

/** onnxruntime's messages start with a source path and a failed assertion; users need the sentence at the end. */
function conciseReason(e: unknown): string {
  const first = (e instanceof Error ? e.message : String(e)).split('\n')[0];
  const i = first.lastIndexOf(' was false. ');
  return i >= 0 ? first.slice(i + ' was false. '.length) : first;
}
