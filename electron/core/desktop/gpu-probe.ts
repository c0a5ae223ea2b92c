/**
 * What the Device settings say was detected: each GPU provider this platform could use, tried for real by creating a
 * session on the default model (onnxruntime throws rather than falling back), with the reason when it does not load.
 * Done once per run; the result only changes when drivers or runtime libraries change.
 */
import path from 'node:path';
import { familyOfFolder } from '../asr/families.ts';
import { createSession, gpuProvidersForPlatform, SessionCreateError } from '../onnx/device.ts';

export interface GpuProbe {
  provider: string;
  available: boolean;
  reason?: string;
}

/** The family's probe file among the weights present (fp32 first: the plainest graph). */
function probeFile(modelDir: string): string | undefined {
  const family = familyOfFolder(modelDir)?.family;
  const probe = family?.probeFile(family.variantsIn(modelDir), 'fp32');
  return probe ? path.join(modelDir, probe.file) : undefined;
}

export async function probeGpus(modelDir: string | undefined): Promise<GpuProbe[]> {
  const file = modelDir ? probeFile(modelDir) : undefined;
  const out: GpuProbe[] = [];
  for (const provider of gpuProvidersForPlatform()) {
    if (!file) {
      out.push({ provider, available: false, reason: 'no model installed to test with' });
      continue;
    }
    try {
      const { session } = await createSession(file, {
        device: provider,
        threads: 1,
        options: { logSeverityLevel: 4, graphOptimizationLevel: 'disabled' },
      });
      await session.release();
      out.push({ provider, available: true });
    } catch (e) {
      const reason =
        e instanceof SessionCreateError ? e.reasonFor(provider) : e instanceof Error ? e.message : String(e);
      out.push({ provider, available: false, reason: reason.slice(0, 200) });
    }
  }
  return out;
}
