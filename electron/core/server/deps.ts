/**
 * The composition of the server's services from the engine modules: audio decoding and URL download, the license
 * service, and model loading. This is the only server file that imports them.
 */
import { decodeToPcm16k, fetchToTempFile, SUPPORTED_FORMATS } from '../audio/index.ts';
import { createStreamResampler } from '../audio/stream-resampler.ts';
import { findTruncation } from '../audio/truncation.ts';
import { EarshotError, isEarshotError } from '../errors.ts';
import { constantTimeEqual, type LicenseService, redactKey } from '../license/index.ts';
import { chooseDiarizationModels } from '../diarize/models/resolve.ts';
import { ModelManager } from '../models/index.ts';
import type { AudioService, LicenseGate, ModelProvider, ServerServices } from './services.ts';

export function audioService(maxDurationSeconds: number): AudioService {
  return {
    supportedFormats: SUPPORTED_FORMATS,
    async decode(source, signal) {
      const decoded = await decodeToPcm16k(source, { signal, maxDurationSeconds });
      const { meta } = decoded;
      // A cut-off file decodes "fine" up to where it stops; the API refuses it rather than pass part for the whole.
      const missing =
        typeof source === 'string'
          ? await findTruncation({
              path: source,
              bytes: meta.bytes,
              container: meta.container,
              declaredSeconds: meta.declaredDuration,
              decodedSeconds: meta.duration,
            })
          : undefined;
      if (missing) {
        throw new EarshotError('CORRUPT_MEDIA', `The media file is truncated: ${missing}`, {
          reason: 'truncated',
          decoded_seconds: Math.round(meta.duration * 1000) / 1000,
        });
      }
      return { samples: decoded.samples, sampleRate: 16000, duration: meta.duration };
    },
    async download(url, { maxBytes, allowPrivate, totalTimeoutMs, signal }) {
      const got = await fetchToTempFile(url, { maxBytes, allowPrivate, maxRedirects: 5, totalTimeoutMs, signal });
      return { path: got.path, bytes: got.bytes };
    },
    resampler: createStreamResampler,
  };
}

export function licenseGate(service: LicenseService, configuredKeys: readonly string[]): LicenseGate {
  return {
    async verify(key) {
      service.verify(key);
    },
    authorize: (key, clientAddress) => service.authorize(key, { clientAddress }),
    async recordFailure(clientAddress) {
      return service.recordAuthFailure(clientAddress);
    },
    safeEqual: constantTimeEqual,
    redact: redactKey,
    async usage() {
      const seen = new Map<string, { licenseId: string; audioSecondsToday: number; audioSecondsPerDay: number }>();
      for (const key of configuredKeys) {
        try {
          const claims = service.verify(key);
          seen.set(claims.id, {
            licenseId: claims.id,
            audioSecondsToday: service.usage(claims.id).audioSeconds,
            audioSecondsPerDay: claims.limits.audioHoursPerDay * 3600,
          });
        } catch (e) {
          if (!isEarshotError(e)) throw e;
        }
      }
      return [...seen.values()];
    },
  };
}

/** The model manager resolves a folder, a catalog id, or (nothing) the user's default model. */
export function modelProvider(manager = new ModelManager()): ModelProvider {
  return {
    async resolve(idOrPath) {
      const { id, dir } = await manager.resolveModel(idOrPath);
      return { id, dir };
    },
    load: (idOrPath, options) => manager.load(idOrPath, options),
    async diarizationModels(choice) {
      return chooseDiarizationModels(choice, await manager.list());
    },
  };
}

export function serverServices(options: {
  license: LicenseService;
  /** The process's model manager (core/engine.ts); one over the default data folder when absent. */
  models?: ModelManager;
  licenseKeys: readonly string[];
  maxAudioSeconds: number;
}): ServerServices {
  return {
    audio: audioService(options.maxAudioSeconds),
    license: licenseGate(options.license, options.licenseKeys),
    models: modelProvider(options.models),
  };
}
