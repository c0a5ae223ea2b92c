/**
 * Authentication exactly as the seed: `Authorization: Token <license key>` (Bearer accepted too). The key must be one
 * of the keys this server was started with (compared in constant time, every configured key checked) and a valid
 * license. Runs in onRequest, so an unauthenticated request is refused before its body is read.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EarshotError, isEarshotError } from '../errors.ts';
import { sleep } from '../retry.ts';
import type { ServerMetrics } from './metrics.ts';
import type { LicenseGate, LicenseLease } from './services.ts';

declare module 'fastify' {
  interface FastifyRequest {
    licenseKey?: string;
    lease?: LicenseLease;
  }
}

/** `authorize` takes a lease (rate, concurrency, quota) for transcription; `verify` only checks the key. */
export type AuthMode = 'authorize' | 'verify';

export function parseAuthorization(header: string | undefined): string | undefined {
  const m = /^(?:Token|Bearer)\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

/** Slows down an address that keeps failing (the license module decides how long). */
function stall(ms: number): Promise<void> {
  return ms > 0 ? sleep(Math.min(ms, 10_000)) : Promise.resolve();
}

export function makeAuthHook(keys: readonly string[], license: LicenseGate, metrics: ServerMetrics) {
  const isConfigured = (presented: string) => {
    let found = false;
    // No early exit: the time taken does not depend on which key (if any) matched.
    for (const k of keys) found = license.safeEqual(presented, k) || found;
    return found;
  };

  const refuse = async (request: FastifyRequest, reason: string): Promise<never> => {
    metrics.failedAuth.inc({ reason });
    await stall(await license.recordFailure(request.ip));
    throw new EarshotError('INVALID_LICENSE');
  };

  return (mode: AuthMode) =>
    async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      const key = parseAuthorization(request.headers.authorization);
      if (!key) return refuse(request, 'missing');
      if (!isConfigured(key)) return refuse(request, 'unknown_key');
      try {
        if (mode === 'verify') await license.verify(key);
        else {
          const lease = await license.authorize(key, request.ip);
          request.lease = lease;
          let released = false;
          // 'close' fires whether the response finished or the client went away; jobs take the lease over instead.
          reply.raw.once('close', () => {
            if (!released && request.lease === lease) {
              released = true;
              lease.release();
            }
          });
        }
      } catch (e) {
        if (isEarshotError(e) && (e.status === 401 || e.status === 403)) {
          metrics.failedAuth.inc({ reason: e.code.toLowerCase() });
          await stall((e as { delayMs?: number }).delayMs ?? 0);
        }
        throw e;
      }
      request.licenseKey = key;
    };
}
